package alert

import "errors"

// Sentinel errors that callers test with errors.Is.
var (
	// ErrConfig: the configuration file is unreadable or wrong.
	ErrConfig = errors.New("bad output configuration")
	// ErrNoOutput: no channel is enabled.
	ErrNoOutput = errors.New("no output configured, please make sure at least one output is configured and enabled")
	// ErrUndelivered: Close gave up on some alerts.
	ErrUndelivered = errors.New("alerts not delivered")
	// ErrRejected wraps a delivery the receiver refused for good (an HTTP
	// 4xx): it is reported and not retried.
	ErrRejected = errors.New("alert rejected")
)
