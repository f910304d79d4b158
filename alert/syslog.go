package alert

import (
	"context"
	"fmt"
	"log/syslog"

	"forensics/rules"
)

// SyslogSink sends alerts to syslog (falco.yaml syslog_output), facility
// user, with the alert's priority as severity. Network and Address pick
// the server ("" for the local /dev/log; "udp", "tcp" or "unixgram" and
// an address otherwise); the connection is made on the first alert and
// again after a failure.
type SyslogSink struct {
	network, address, tag string
	w                     *syslog.Writer
}

// NewSyslogSink returns a syslog sink; tag is the program name in the
// messages.
func NewSyslogSink(network, address, tag string) *SyslogSink {
	return &SyslogSink{network: network, address: address, tag: tag}
}

func (s *SyslogSink) Name() string { return "syslog" }

func (s *SyslogSink) Send(_ context.Context, a *Alert, msg []byte) error {
	if s.w == nil {
		w, err := syslog.Dial(s.network, s.address, syslog.LOG_USER|syslog.LOG_INFO, s.tag)
		if err != nil {
			return fmt.Errorf("connect to syslog: %w", err)
		}
		s.w = w
	}
	m := string(msg)
	var err error
	switch a.Priority {
	case rules.Emergency:
		err = s.w.Emerg(m)
	case rules.Alert:
		err = s.w.Alert(m)
	case rules.Critical:
		err = s.w.Crit(m)
	case rules.Error:
		err = s.w.Err(m)
	case rules.Warning:
		err = s.w.Warning(m)
	case rules.Notice:
		err = s.w.Notice(m)
	case rules.Informational:
		err = s.w.Info(m)
	default:
		err = s.w.Debug(m)
	}
	if err != nil {
		s.w.Close()
		s.w = nil
		return fmt.Errorf("syslog: %w", err)
	}
	return nil
}

func (s *SyslogSink) Flush() error { return nil }

func (s *SyslogSink) Close() error {
	if s.w == nil {
		return nil
	}
	err := s.w.Close()
	s.w = nil
	return err
}
