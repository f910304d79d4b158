package alert

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// WriterSink writes each alert and a newline to a writer (stdout),
// buffered; the buffer is flushed when the queue empties.
type WriterSink struct {
	name string
	w    *bufio.Writer
}

// NewWriterSink returns a sink writing to w, named name ("stdout").
func NewWriterSink(name string, w io.Writer) *WriterSink {
	return &WriterSink{name: name, w: bufio.NewWriterSize(w, 64<<10)}
}

func (s *WriterSink) Name() string { return s.name }

func (s *WriterSink) Send(_ context.Context, _ *Alert, msg []byte) error {
	s.w.Write(msg)
	return s.w.WriteByte('\n') // bufio keeps the first error
}

func (s *WriterSink) Flush() error { return s.w.Flush() }
func (s *WriterSink) Close() error { return s.w.Flush() }

// FileSink appends alerts to a file (falco.yaml file_output). With
// keepAlive the file stays open; otherwise it is opened and closed for
// every alert, so it may be rotated or removed in between.
type FileSink struct {
	path      string
	keepAlive bool
	f         *os.File
	w         *bufio.Writer
}

// NewFileSink returns a file sink; the file is created (mode 0600) on
// the first alert.
func NewFileSink(path string, keepAlive bool) *FileSink {
	return &FileSink{path: path, keepAlive: keepAlive}
}

func (s *FileSink) Name() string { return "file" }

func (s *FileSink) open() error {
	if s.f != nil {
		return nil
	}
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("failed to open output file %s: %w", s.path, err)
	}
	s.f, s.w = f, bufio.NewWriter(f)
	return nil
}

func (s *FileSink) Send(_ context.Context, _ *Alert, msg []byte) error {
	if err := s.open(); err != nil {
		return err
	}
	s.w.Write(msg)
	s.w.WriteByte('\n')
	if s.keepAlive {
		return s.check(s.w.Flush())
	}
	return s.check(s.Close())
}

// check drops a file that failed, so the retry reopens it.
func (s *FileSink) check(err error) error {
	if err != nil && s.f != nil {
		s.f.Close()
		s.f, s.w = nil, nil
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", s.path, err)
	}
	return nil
}

func (s *FileSink) Flush() error { return nil }

func (s *FileSink) Close() error {
	if s.f == nil {
		return nil
	}
	err := s.w.Flush()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.f, s.w = nil, nil
	return err
}

// ProgramSink pipes alerts to a shell command's stdin (falco.yaml
// program_output). With keepAlive one process gets every alert (and is
// restarted if it dies); otherwise a process runs per alert and must exit
// with status 0. The program's stdout and stderr go to forensics' stderr,
// apart from the alerts on stdout. The program runs in its own process
// group, killed whole when the worker gives up.
type ProgramSink struct {
	program   string
	keepAlive bool
	cmd       *exec.Cmd
	stdin     io.WriteCloser
}

// NewProgramSink returns a sink running program with /bin/sh -c.
func NewProgramSink(program string, keepAlive bool) *ProgramSink {
	return &ProgramSink{program: program, keepAlive: keepAlive}
}

func (s *ProgramSink) Name() string { return "program" }

func (s *ProgramSink) start() error {
	if s.cmd != nil {
		return nil
	}
	cmd := exec.Command("/bin/sh", "-c", s.program)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("failed to start program output %q: %w", s.program, err)
	}
	s.cmd, s.stdin = cmd, stdin
	return nil
}

// stop closes the program's stdin and waits for it to exit; when ctx
// ends first, its process group is killed.
func (s *ProgramSink) stop(ctx context.Context) error {
	if s.cmd == nil {
		return nil
	}
	cmd := s.cmd
	s.cmd = nil
	s.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		err = ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("program output %q: %w", s.program, err)
	}
	return nil
}

func (s *ProgramSink) Send(ctx context.Context, _ *Alert, msg []byte) error {
	if err := s.start(); err != nil {
		return err
	}
	line := append(msg[:len(msg):len(msg)], '\n')
	written := make(chan error, 1)
	go func() {
		_, err := s.stdin.Write(line)
		written <- err
	}()
	var err error
	select {
	case err = <-written:
	case <-ctx.Done():
		s.stop(ctx) // kills it, which ends the write
		<-written
		return ctx.Err()
	}
	if !s.keepAlive {
		return errors.Join(err, s.stop(ctx))
	}
	if err != nil {
		s.stop(ctx) // it died: the retry starts another
		return fmt.Errorf("program output %q: %w", s.program, err)
	}
	return nil
}

func (s *ProgramSink) Flush() error { return nil }

// Close ends a kept-alive program: stdin closed, at most 10 s to exit.
func (s *ProgramSink) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.stop(ctx)
}
