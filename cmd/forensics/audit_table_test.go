package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"forensics/internal/testenv"
	"forensics/table"
)

// auditQueryRows runs `forensics query -o json` on an audit input with
// every default column of the audit_events table as a -p field.
func auditQueryRows(t *testing.T, input string, filter ...string) []map[string]string {
	t.Helper()
	args := append([]string{"query", "-o", "json", "-p", "*%" + strings.Join(table.DefaultAuditColumns, " %"), input}, filter...)
	code, out, stderr := runCmd(t, args...)
	if code != exitOK {
		t.Fatalf("query: exit %d: %s", code, stderr)
	}
	return decodeRows(t, out, true)
}

// TestExportAuditMatchesQuery: the audit_events table of the corpus audit
// logs, written as Parquet (read back with arrow-go, one file and a
// partitioned directory), JSON lines and SQLite (read with the sqlite3
// shell), holds the rows and values `forensics query -o json` prints.
func TestExportAuditMatchesQuery(t *testing.T) {
	dir := testenv.Shared(t, "corpus/k8s_audit")
	for _, filter := range []string{"", "ka.verb in (create, delete) and ka.target.resource != namespaces"} {
		t.Run(filter, func(t *testing.T) {
			var qf, ef []string
			if filter != "" {
				qf, ef = []string{filter}, []string{"--filter", filter}
			}
			want := auditQueryRows(t, dir, qf...)
			if len(want) < 10 {
				t.Fatalf("query printed %d rows", len(want))
			}
			out := t.TempDir()
			export := func(format, target string, extra ...string) {
				t.Helper()
				args := append(append([]string{"export", "--format", format}, ef...), extra...)
				if code, _, stderr := runCmd(t, append(args, dir, target)...); code != exitOK {
					t.Fatalf("export %s: exit %d: %s", format, code, stderr)
				}
			}

			// JSON lines: every column, lists included.
			code, lines, _ := runCmd(t, append(append([]string{"export", "--format", "jsonl"}, ef...), dir, "-")...)
			if code != exitOK {
				t.Fatalf("export jsonl: exit %d", code)
			}
			compareRows(t, "jsonl", want, decodeRows(t, lines, false))

			// Parquet: every column, lists included.
			one := filepath.Join(out, "audit.parquet")
			export("parquet", one)
			compareRows(t, "one parquet file", want, readParquet(t, one))
			lake := filepath.Join(out, "lake")
			export("parquet", lake)
			compareRows(t, "partitioned", want, readParquet(t, globParquet(t, filepath.Join(lake, "audit_events", "hour=*", "k8s_audit.parquet"))...))

			// SQLite: the shell counts the same per verb and resource, and
			// reads the whole event from jevt_obj.
			sqlite3 := testenv.Tool(t, "sqlite3", "apt-get install sqlite3")
			db := filepath.Join(out, "audit.db")
			export("sqlite", db)
			counts := map[string]int{}
			for _, r := range want {
				counts[r["ka_verb"]+"|"+r["ka_target_resource"]]++
			}
			var wantLines []string
			for k, n := range counts {
				wantLines = append(wantLines, k+"|"+strconv.Itoa(n))
			}
			sort.Strings(wantLines)
			shell := func(sql string) string {
				t.Helper()
				b, err := exec.Command(sqlite3, "-batch", db, sql).CombinedOutput()
				if err != nil {
					t.Fatalf("sqlite3 %q: %v: %s", sql, err, b)
				}
				return strings.TrimSpace(string(b))
			}
			if got := shell("SELECT ka_verb, ka_target_resource, count(*) FROM audit_events GROUP BY 1, 2 ORDER BY 1, 2"); got != strings.Join(wantLines, "\n") {
				t.Errorf("sqlite3 per verb and resource:\n%s\nwant\n%s", got, strings.Join(wantLines, "\n"))
			}
			if got := shell("SELECT count(*) FROM audit_events WHERE json_extract(jevt_obj, '$.auditID') = ka_auditid"); got != strconv.Itoa(len(want)) {
				t.Errorf("jevt_obj holds the event in %s of %d rows", got, len(want))
			}
			idx := shell(".indexes audit_events")
			for _, ix := range []string{"audit_events_time", "audit_events_user", "audit_events_verb", "audit_events_resource"} {
				if !strings.Contains(idx, ix) {
					t.Errorf("index %s missing: %s", ix, idx)
				}
			}
		})
	}
}

// TestSQLAuditInvestigation: `forensics sql` answers the questions of an
// investigation of the cluster over the corpus audit logs.
func TestSQLAuditInvestigation(t *testing.T) {
	dir := testenv.Shared(t, "corpus/k8s_audit")
	// Who did how much.
	got := sqlRows(t, dir, "SELECT ka_user_name, count(*) FROM audit_events GROUP BY 1 ORDER BY 2 DESC, 1")
	want := "[[minikube-user 21] [system:serviceaccount:kube-system:replicaset-controller 6] [admin 1] [some-user 1] [system:anonymous 1] [system:node:minikube 1]]"
	if fmt.Sprint(got) != want {
		t.Errorf("events per user:\n%v\nwant\n%s", got, want)
	}
	// Anonymous requests, and what they touched.
	got = sqlRows(t, dir, "SELECT ka_verb, ka_target_resource, ka_target_name FROM audit_events WHERE ka_user_name = 'system:anonymous'")
	if len(got) != 1 || strings.Join(got[0], " ") != "create namespaces foo" {
		t.Errorf("anonymous requests: %v", got)
	}
	// Privileged pods, with who created them: the pod spec is in the
	// request object (the two corpus files that create one).
	got = sqlRows(t, dir, `SELECT ka_target_namespace, json_extract(jevt_obj, '$.requestObject.metadata.generateName'), ka_user_name
		FROM audit_events, json_each(jevt_obj, '$.requestObject.spec.containers') c
		WHERE ka_verb = 'create' AND ka_target_resource = 'pods' AND json_extract(c.value, '$.securityContext.privileged') = 1`)
	want = "[[default nginx-deployment-544b59f8b8- system:serviceaccount:kube-system:replicaset-controller] [default nginx-deployment-544b59f8b8- system:serviceaccount:kube-system:replicaset-controller]]"
	if fmt.Sprint(got) != want {
		t.Errorf("privileged pods:\n%v\nwant\n%s", got, want)
	}
	// Execs into pods, with the command from the URI.
	got = sqlRows(t, dir, "SELECT ka_target_name, ka_uri FROM audit_events WHERE ka_target_subresource = 'exec'")
	if len(got) != 1 || !strings.Contains(got[0][1], "command=bash") {
		t.Errorf("execs: %v", got)
	}
	// A filter narrows what is loaded; the cache works as for captures,
	// and is rebuilt when the flags change.
	// (The cache goes next to the input: a copy, not the corpus.)
	logs := t.TempDir()
	for _, name := range []string{"delete_cluster_role_kube_aggregator.json", "create_secret.json", "exec_pod.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(logs, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i, tc := range []struct{ filter, want string }{{"ka.verb=delete", "1"}, {"ka.verb=delete", "1"}, {"ka.verb in (delete, create)", "3"}} {
		got = sqlRows(t, "--cache", "--filter", tc.filter, logs, "SELECT count(*) FROM audit_events")
		if len(got) != 1 || got[0][0] != tc.want {
			t.Fatalf("cached run %d, %s: %v, want %s", i, tc.filter, got, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(logs, "forensics.sqlite")); err != nil {
		t.Errorf("cache: %v", err)
	}
	// An unknown column is a usage error before anything is read; the
	// syscall tables are not there.
	for _, stmt := range []string{"SELECT ka_nope FROM audit_events", "SELECT count(*) FROM events"} {
		if code, _, stderr := runCmd(t, "sql", dir, stmt); code != exitUsage || !strings.Contains(stderr, "no such") {
			t.Errorf("%q: exit %d, %s", stmt, code, stderr)
		}
	}
	code, out, _ := runCmd(t, "sql", "-o", "json", dir, "SELECT ka_verb, count(*) AS n FROM audit_events WHERE ka_verb = 'patch' GROUP BY 1")
	var res []map[string]any
	if code != exitOK || json.Unmarshal([]byte(out), &res) != nil {
		t.Fatalf("-o json: %d %s", code, out)
	}
}
