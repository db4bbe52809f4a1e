package pycovharvest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DefaultStartTimeout bounds serve's start: Node's start, the bundle's load and the port bind.
const DefaultStartTimeout = 60 * time.Second

// stopGrace is how long serve may take to end its relays and port-forwards after SIGTERM before it is killed.
const stopGrace = 10 * time.Second

// tailLines is how many of serve's last output lines an error quotes.
const tailLines = 20

// ready is the line serve prints once it takes switches.
var ready = regexp.MustCompile(`switching contexts on (http://\S+/context)`)

// ServeOptions says how to start `node dist/cli.js serve`.
type ServeOptions struct {
	// Node is the Node.js binary (default "node").
	Node string
	// CLI is the path of pycov-harvest's dist/cli.js (default: $PYCOV_HARVEST_CLI).
	CLI string
	// Args are serve's target options, as the action's inputs of the same names, e.g.
	// {"--target", "kubernetes", "--namespace", "e2e", "--selector", "app=api"}. Not --port.
	Args []string
	// Env is added to this process's environment for serve (e.g. "DOCKER_HOST=...").
	Env []string
	// Output receives serve's lines (one per target per switch, and its errors); nil drops
	// them, but an error still quotes the last ones.
	Output io.Writer
	// StartTimeout bounds the start (0: DefaultStartTimeout).
	StartTimeout time.Duration
	// SwitchTimeout bounds each switch (0: DefaultSwitchTimeout).
	SwitchTimeout time.Duration
}

// Start runs serve on a free loopback port and returns a client of it once it takes switches.
// Close the client to stop serve.
func Start(ctx context.Context, opts ServeOptions) (*Client, error) {
	node := opts.Node
	if node == "" {
		node = "node"
	}
	cli := opts.CLI
	if cli == "" {
		cli = os.Getenv(EnvCLI)
	}
	if cli == "" {
		return nil, &StartError{Reason: fmt.Sprintf("no path of dist/cli.js; set ServeOptions.CLI or %s to pycov-harvest's dist/cli.js", EnvCLI)}
	}
	for _, arg := range opts.Args {
		if arg == "--port" || strings.HasPrefix(arg, "--port=") {
			return nil, &StartError{Reason: "ServeOptions.Args has --port; leave it out, the client picks a free port"}
		}
	}
	argv := append([]string{node, cli, "serve", "--port", "0"}, opts.Args...)
	s, err := launch(argv, opts.Env, opts.Output)
	if err != nil {
		return nil, err
	}
	timeout := opts.StartTimeout
	if timeout <= 0 {
		timeout = DefaultStartTimeout
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var url string
	select {
	case url = <-s.url:
	case <-s.done:
		return nil, &StartError{Command: argv, Reason: fmt.Sprintf("`%s` %s before it was ready:\n%s\nfix what it says", strings.Join(argv[2:], " "), s.exitText(), s.tail())}
	case <-timer.C:
		_ = s.stop()
		return nil, &StartError{Command: argv, Reason: fmt.Sprintf("serve printed no ready line within %s (last output:\n%s\n); a slow machine: raise ServeOptions.StartTimeout", timeout, s.tail())}
	case <-ctx.Done():
		_ = s.stop()
		return nil, &StartError{Command: argv, Reason: fmt.Sprintf("the start was cancelled (%v)", ctx.Err()), Err: ctx.Err()}
	}
	client, err := Connect(url, opts.SwitchTimeout)
	if err != nil {
		_ = s.stop()
		return nil, err
	}
	client.server = s
	return client, nil
}

// FromEnv connects to the serve named by $PYCOV_HARVEST_SERVE_URL, or else starts one with
// $PYCOV_HARVEST_CLI and args (serve's target options; none given: $PYCOV_HARVEST_SERVE_ARGS).
// serve's lines go to stderr.
func FromEnv(ctx context.Context, args ...string) (*Client, error) {
	if url := os.Getenv(EnvURL); url != "" {
		return Connect(url, 0)
	}
	if os.Getenv(EnvCLI) == "" {
		return nil, &StartError{Reason: fmt.Sprintf("neither %s (a running serve) nor %s (dist/cli.js, to start one) is set; set one of them", EnvURL, EnvCLI)}
	}
	if len(args) == 0 {
		args = strings.Fields(os.Getenv(EnvArgs))
	}
	if len(args) == 0 {
		return nil, &StartError{Reason: fmt.Sprintf("no target options for serve; pass them, or set %s, e.g. \"--target kubernetes --namespace e2e --selector app=api\"", EnvArgs)}
	}
	return Start(ctx, ServeOptions{Args: args, Output: os.Stderr})
}

// server is a serve process this package started.
type server struct {
	cmd  *exec.Cmd
	url  chan string
	done chan struct{}

	mu    sync.Mutex
	lines []string
	err   error
}

func launch(argv, env []string, output io.Writer) (*server, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, &StartError{Command: argv, Reason: err.Error(), Err: err}
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, &StartError{Command: argv, Reason: err.Error(), Err: err}
	}
	if err := cmd.Start(); err != nil {
		fix := "install Node.js 20 or later, or set ServeOptions.Node"
		if !errors.Is(err, exec.ErrNotFound) {
			fix = "check ServeOptions.Node"
		}
		return nil, &StartError{Command: argv, Reason: fmt.Sprintf("`%s` cannot be run (%v); %s", argv[0], err, fix), Err: err}
	}
	s := &server{cmd: cmd, url: make(chan string, 1), done: make(chan struct{})}
	var readers sync.WaitGroup
	readers.Add(2)
	go s.read(stdout, output, &readers, true)
	go s.read(stderr, output, &readers, false)
	go func() {
		readers.Wait() // Wait closes the pipes: read them to the end first
		err := cmd.Wait()
		s.mu.Lock()
		s.err = err
		s.mu.Unlock()
		close(s.done)
	}()
	return s, nil
}

// read keeps serve's output flowing (a full pipe would block its switches), hands the ready line's
// URL over once, and keeps the last lines for errors.
func (s *server) read(pipe io.Reader, output io.Writer, readers *sync.WaitGroup, watch bool) {
	defer readers.Done()
	scanner := bufio.NewScanner(pipe)
	scanner.Buffer(make([]byte, 64*1024), 1024*1024)
	for scanner.Scan() {
		line := scanner.Text()
		if output != nil {
			fmt.Fprintln(output, line)
		}
		s.mu.Lock()
		s.lines = append(s.lines, line)
		if len(s.lines) > tailLines {
			s.lines = s.lines[len(s.lines)-tailLines:]
		}
		s.mu.Unlock()
		if watch {
			if m := ready.FindStringSubmatch(line); m != nil {
				select {
				case s.url <- m[1]:
				default:
				}
			}
		}
	}
	_, _ = io.Copy(io.Discard, pipe)
}

func (s *server) tail() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.lines) == 0 {
		return "(no output)"
	}
	return strings.Join(s.lines, "\n")
}

func (s *server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

func (s *server) exitText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var exit *exec.ExitError
	if errors.As(s.err, &exit) {
		return fmt.Sprintf("exited with status %d", exit.ExitCode())
	}
	if s.err != nil {
		return fmt.Sprintf("failed (%v)", s.err)
	}
	return "exited with status 0"
}

// stop sends SIGTERM (serve ends its relays and port-forwards), then kills it after stopGrace.
func (s *server) stop() error {
	if s.exited() {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return nil
	case <-time.After(stopGrace):
	}
	_ = s.cmd.Process.Kill()
	select {
	case <-s.done:
	case <-time.After(stopGrace):
	}
	return fmt.Errorf("pycov-harvest: serve did not stop within %s of SIGTERM and was killed; its relays or port-forwards may be left open", stopGrace)
}
