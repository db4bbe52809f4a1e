// Package pycovharvest switches the coverage context of Python services under test from a Go
// test harness (Ginkgo, testing), through `node dist/cli.js serve` of pycov-harvest: every agent
// process of every matched container or pod saves what it measured under the previous context and
// measures on under the new one, so the harvest shows which test ran which line.
//
// A Client either starts serve itself (Start) or talks to one already running (Connect). It uses
// only the standard library; every wait is bounded.
package pycovharvest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Environment variables the helpers of every harness read.
const (
	// EnvURL names a running serve, e.g. http://127.0.0.1:9898/context.
	EnvURL = "PYCOV_HARVEST_SERVE_URL"
	// EnvCLI is the path of pycov-harvest's dist/cli.js, for starting serve.
	EnvCLI = "PYCOV_HARVEST_CLI"
	// EnvArgs are serve's target options, split on white space, e.g.
	// "--target kubernetes --namespace e2e --selector app=api".
	EnvArgs = "PYCOV_HARVEST_SERVE_ARGS"
)

// DefaultSwitchTimeout bounds one switch: serve's own default lets each process take 10 s to
// confirm, plus reopening a relay or a one-shot exec when a target needs one.
const DefaultSwitchTimeout = 60 * time.Second

// maxAnswer bounds what is read of serve's answer (one line per target).
const maxAnswer = 4 << 20

// TargetOutcome is one target's part of a switch, as serve reports it.
type TargetOutcome struct {
	Label     string `json:"label"`
	OK        bool   `json:"ok"`
	Processes int    `json:"processes"`
	MS        int    `json:"ms"`
	Detail    string `json:"detail"`
}

// Result is a confirmed switch: every target answered, each with every agent process.
type Result struct {
	Context string
	Targets []TargetOutcome
}

// Client switches contexts through one serve.
type Client struct {
	url           string
	http          *http.Client
	switchTimeout time.Duration
	server        *server // nil when connected to a serve started elsewhere
}

// Connect returns a client of the serve at url (http://127.0.0.1:PORT or .../context).
// switchTimeout bounds each switch (0: DefaultSwitchTimeout). Nothing is sent until Switch.
func Connect(url string, switchTimeout time.Duration) (*Client, error) {
	url = strings.TrimRight(strings.TrimSpace(url), "/")
	if !strings.HasPrefix(url, "http://") {
		return nil, fmt.Errorf("pycov-harvest: the serve URL %q is not http://HOST:PORT; give the URL serve printed, e.g. http://127.0.0.1:9898/context", url)
	}
	if !strings.HasSuffix(url, "/context") {
		url += "/context"
	}
	if switchTimeout <= 0 {
		switchTimeout = DefaultSwitchTimeout
	}
	return &Client{url: url, http: &http.Client{Timeout: switchTimeout}, switchTimeout: switchTimeout}, nil
}

// URL is where the client posts switches.
func (c *Client) URL() string { return c.url }

// Switch makes every agent process of every target measure under name from now on ("" for no
// context). It returns once serve reports every target confirmed, or an error that names the
// cause and the fix.
func (c *Client) Switch(ctx context.Context, name string) (*Result, error) {
	if problem := nameProblem(name); problem != "" {
		return nil, &SwitchError{Context: name, Reason: problem}
	}
	ctx, cancel := context.WithTimeout(ctx, c.switchTimeout)
	defer cancel()
	body, _ := json.Marshal(map[string]string{"context": name})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, &SwitchError{Context: name, Reason: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return nil, c.transportError(name, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxAnswer))
	if err != nil {
		return nil, c.transportError(name, err)
	}
	return decodeAnswer(name, res.StatusCode, raw)
}

// Clear returns every process to no context, so that what runs between tests is nobody's.
func (c *Client) Clear(ctx context.Context) error {
	_, err := c.Switch(ctx, "")
	return err
}

// Close stops the serve this client started (SIGTERM, then bounded waits); a connected client
// leaves its serve alone.
func (c *Client) Close() error {
	c.http.CloseIdleConnections()
	if c.server == nil {
		return nil
	}
	return c.server.stop()
}

func (c *Client) transportError(name string, err error) error {
	var reason string
	switch {
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Client.Timeout"):
		reason = fmt.Sprintf("serve at %s did not answer within %s; raise the switch timeout, or look at serve's output for a target that hangs", c.url, c.switchTimeout)
	case c.server != nil && c.server.exited():
		reason = fmt.Sprintf("serve has exited (%s); see its output above", c.server.exitText())
	default:
		reason = fmt.Sprintf("no serve answers at %s (%v); start `node dist/cli.js serve --port PORT ...` first, or let the client start it", c.url, err)
	}
	return &SwitchError{Context: name, Reason: reason, Err: err}
}

type answer struct {
	OK      *bool           `json:"ok"`
	Targets []TargetOutcome `json:"targets"`
	Error   string          `json:"error"`
}

// decodeAnswer turns serve's answer into a confirmed Result or a SwitchError.
func decodeAnswer(name string, status int, raw []byte) (*Result, error) {
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, &SwitchError{Context: name, Status: status, Reason: fmt.Sprintf(
			"the answer (HTTP %d) is not serve's JSON (%q); check that the URL is pycov-harvest serve's /context", status, clip(raw))}
	}
	failed := []string{}
	for _, t := range a.Targets {
		if !t.OK {
			failed = append(failed, fmt.Sprintf("%s: %s", t.Label, t.Detail))
		}
	}
	switch {
	case status == http.StatusOK && a.OK != nil && *a.OK && len(a.Targets) > 0 && len(failed) == 0:
		return &Result{Context: name, Targets: a.Targets}, nil
	case len(failed) > 0:
		return nil, &SwitchError{Context: name, Status: status, Targets: a.Targets, Reason: fmt.Sprintf(
			"not confirmed by %s", strings.Join(failed, "; "))}
	case a.Error != "":
		return nil, &SwitchError{Context: name, Status: status, Targets: a.Targets, Reason: a.Error}
	default:
		return nil, &SwitchError{Context: name, Status: status, Targets: a.Targets, Reason: fmt.Sprintf(
			"serve answered HTTP %d without a confirmation from every target (%q); check serve's output", status, clip(raw))}
	}
}

// nameProblem is why the agent would refuse the name, as serve and the agent check it.
func nameProblem(name string) string {
	if len(name) > 256 || !utf8.ValidString(name) || strings.IndexFunc(name, func(r rune) bool { return r < 32 || r == 0x7f }) >= 0 {
		return "the context name must be at most 256 bytes of UTF-8, without control characters; shorten the test name or map it to one"
	}
	return ""
}

func clip(raw []byte) string {
	text := strings.TrimSpace(string(raw))
	if len(text) > 200 {
		return text[:200] + "..."
	}
	return text
}
