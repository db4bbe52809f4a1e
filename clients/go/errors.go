package pycovharvest

import "fmt"

// SwitchError is a switch that was not confirmed: serve refused it, a target did not confirm, or
// serve could not be reached.
type SwitchError struct {
	// Context is the name that was asked for ("" for none).
	Context string
	// Status is serve's HTTP status, 0 when serve did not answer.
	Status int
	// Targets is every target's outcome when serve answered with them.
	Targets []TargetOutcome
	// Reason says what went wrong and the fix.
	Reason string
	// Err is the underlying transport error, if any.
	Err error
}

func (e *SwitchError) Error() string {
	what := "no context"
	if e.Context != "" {
		what = fmt.Sprintf("context %q", e.Context)
	}
	return fmt.Sprintf("pycov-harvest: the switch to %s failed: %s", what, e.Reason)
}

func (e *SwitchError) Unwrap() error { return e.Err }

// StartError is a serve that could not be started or did not become ready.
type StartError struct {
	// Command is the command line that was run.
	Command []string
	// Reason says what went wrong and the fix.
	Reason string
	// Err is the underlying error, if any.
	Err error
}

func (e *StartError) Error() string {
	return fmt.Sprintf("pycov-harvest: cannot start serve: %s", e.Reason)
}

func (e *StartError) Unwrap() error { return e.Err }
