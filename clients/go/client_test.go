package pycovharvest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// A stand-in for serve, run as this test binary: prints the ready line of a loopback server that
// answers every switch as FAKE_SERVE says, or exits at once with FAKE_SERVE=exit.
func TestMain(m *testing.M) {
	switch os.Getenv("FAKE_SERVE") {
	case "":
		os.Exit(m.Run())
	case "exit":
		fmt.Fprintln(os.Stderr, "pycov-harvest: `--selector` is required")
		os.Exit(2)
	case "silent":
		time.Sleep(30 * time.Second)
		os.Exit(0)
	default:
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, `{"ok":true,"context":%s,"targets":[{"label":"container a","ok":true,"processes":2,"ms":3,"detail":"d"}]}`,
				strings.TrimSuffix(strings.TrimPrefix(string(body), `{"context":`), "}"))
		}))
		fmt.Printf("pycov-harvest: switching contexts on %s/context (POST {\"context\": NAME})\n", srv.URL)
		time.Sleep(30 * time.Second)
		os.Exit(0)
	}
}

func serveAnswering(t *testing.T, status int, body string) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/context" {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	client, err := Connect(srv.URL, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func TestSwitchConfirmed(t *testing.T) {
	client := serveAnswering(t, 200, `{"ok":true,"context":"t1","targets":[{"label":"pod a","ok":true,"processes":3,"ms":4,"detail":"3 agent process(es) switched"}]}`)
	result, err := client.Switch(context.Background(), "t1")
	if err != nil {
		t.Fatal(err)
	}
	if len(result.Targets) != 1 || result.Targets[0].Processes != 3 {
		t.Fatalf("%+v", result)
	}
}

func TestSwitchErrors(t *testing.T) {
	cases := []struct {
		name, body string
		status     int
		want       string
	}{
		{"a target failed", `{"ok":false,"context":"t1","targets":[{"label":"pod a","ok":true},{"label":"pod b","ok":false,"detail":"pid 7: no acknowledgement within 10 s"}]}`, 502,
			`pycov-harvest: the switch to context "t1" failed: not confirmed by pod b: pid 7: no acknowledgement within 10 s`},
		{"nothing matched", `{"ok":false,"context":"t1","targets":[],"error":"no running containers with label app=x found; check selector"}`, 502,
			`pycov-harvest: the switch to context "t1" failed: no running containers with label app=x found; check selector`},
		{"ok without targets", `{"ok":true,"context":"t1","targets":[]}`, 200,
			`without a confirmation from every target`},
		{"not serve", `<html>hi</html>`, 200, `is not serve's JSON ("<html>hi</html>"); check that the URL is pycov-harvest serve's /context`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := serveAnswering(t, c.status, c.body).Switch(context.Background(), "t1")
			var switchErr *SwitchError
			if !errors.As(err, &switchErr) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
			if switchErr.Status != c.status {
				t.Fatalf("status %d", switchErr.Status)
			}
		})
	}
}

func TestBadNameIsRefusedBeforeSending(t *testing.T) {
	client := serveAnswering(t, 500, "")
	_, err := client.Switch(context.Background(), "a\nb")
	if err == nil || !strings.Contains(err.Error(), "without control characters") {
		t.Fatal(err)
	}
}

func TestNoServeNamesTheFix(t *testing.T) {
	client, _ := Connect("http://127.0.0.1:1", time.Second)
	err := client.Clear(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no serve answers at http://127.0.0.1:1/context") || !strings.Contains(err.Error(), "start `node dist/cli.js serve") {
		t.Fatal(err)
	}
}

func TestConnectRefusesAnotherScheme(t *testing.T) {
	if _, err := Connect("127.0.0.1:9898", 0); err == nil || !strings.Contains(err.Error(), "give the URL serve printed") {
		t.Fatal(err)
	}
}

func fakeServe(t *testing.T, mode string, timeout time.Duration) (*Client, error) {
	t.Helper()
	return Start(context.Background(), ServeOptions{
		Node: os.Args[0], CLI: "-test.run=^$", Args: []string{"--target", "docker"},
		Env: []string{"FAKE_SERVE=" + mode}, StartTimeout: timeout,
	})
}

func TestStartSwitchStop(t *testing.T) {
	client, err := fakeServe(t, "answer", 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Switch(context.Background(), "spec one"); err != nil {
		t.Fatal(err)
	}
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	if !client.server.exited() {
		t.Fatal("serve still runs after Close")
	}
}

func TestStartReportsAnEarlyExit(t *testing.T) {
	_, err := fakeServe(t, "exit", 20*time.Second)
	if err == nil || !strings.Contains(err.Error(), "exited with status 2 before it was ready") || !strings.Contains(err.Error(), "`--selector` is required") {
		t.Fatal(err)
	}
}

func TestStartIsBounded(t *testing.T) {
	began := time.Now()
	_, err := fakeServe(t, "silent", 500*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "printed no ready line within 500ms") {
		t.Fatal(err)
	}
	if time.Since(began) > 15*time.Second {
		t.Fatalf("took %s", time.Since(began))
	}
}

func TestStartWithoutCLINamesTheVariable(t *testing.T) {
	t.Setenv(EnvCLI, "")
	_, err := Start(context.Background(), ServeOptions{})
	if err == nil || !strings.Contains(err.Error(), EnvCLI) {
		t.Fatal(err)
	}
}
