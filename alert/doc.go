// Package alert turns rule matches into Falco alerts and delivers them to
// the output channels Falco offers, configured with falco.yaml's keys:
// stdout, a file, syslog, an HTTP endpoint and a program's stdin.
//
// An Alert is built once per match (Builder) and printed in Falco's text
// form or its JSON form, the one falcosidekick accepts:
//
//	03:14:11.345678901: Warning Sensitive file opened ... (user=root ...)
//	{"hostname":"web-01","output":"03:14:11.345678901: Warning ...",
//	 "output_fields":{"evt.time":1795...,"proc.name":"cat",...},
//	 "priority":"Warning","rule":"...","source":"syscall",
//	 "tags":["filesystem",...],"time":"2026-11-26T03:14:11.345678901Z"}
//
// Outputs fans each alert out to the channels. Every channel has its own
// queue and goroutine, so a slow or failing channel holds up no other:
//
//	Send ──┬─> queue ─> stdout worker ─> stdout
//	       ├─> queue ─> http worker ───> POST url   (fails: reported,
//	       └─> queue ─> ...                          retried with backoff,
//	                                                 in order, none dropped)
//
// A channel that fails is reported through Options.Report, then retried
// with a growing delay; alerts wait in its queue meanwhile and go out in
// order once it recovers. Close waits for the queues to drain, at most
// Options.DrainTimeout, and counts what could not be delivered.
package alert
