package main

import (
	"encoding/json"
	"strings"
	"testing"

	"forensics/samples"
)

func TestChiselCmd(t *testing.T) {
	path, err := samples.WriteIncident(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := samples.IncidentFacts()
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"chisel", "list"}, exitOK, "topfiles_bytes"},
		{[]string{"chisel", "topfiles_bytes", path, "proc.name=curl"}, exitOK, f.KitFile},
		{[]string{"chisel", "-n", "1", "topconns", path}, exitOK, f.DownloadConn},
		{[]string{"chisel", "fdbytes_by", "fd.sport", path}, exitOK, "Bytes               fd.sport"},
		{[]string{"chisel", "ps", "fd.type=ipv4", path, "proc.name=bash"}, exitOK, "deploy"},
		{[]string{"chisel", "ps", path, "proc.name=bash"}, exitOK, "2201    2201    deploy"},
		{[]string{"chisel", "--since", "+40s", "--until", "+50s", "topprocs_file", path}, exitOK, "Bytes"},
		{[]string{"chisel", "nosuch", path}, exitUsage, "unknown chisel"},
		{[]string{"chisel", "fdbytes_by", path}, exitUsage, "needs 1 argument"},
		{[]string{"chisel", "topconns", path, "proc.name="}, exitUsage, "filter"},
		{[]string{"chisel", "topconns", path, "a", "b"}, exitUsage, "too many arguments"},
	}
	for _, tc := range cases {
		code, out, stderr := runCmd(t, tc.args...)
		if code != tc.code || !strings.Contains(out+stderr, tc.want) {
			t.Errorf("%v: exit %d, want %d and %q in\n%s%s", tc.args, code, tc.code, tc.want, out, stderr)
		}
	}
	code, out, stderr := runCmd(t, "chisel", "list", "-o", "json")
	var list []struct {
		Name string `json:"name"`
		Args []struct {
			Name string `json:"name"`
		} `json:"arguments"`
	}
	if code != exitOK || json.Unmarshal([]byte(out), &list) != nil || len(list) < 30 {
		t.Fatalf("list -o json: exit %d %s %s", code, out, stderr)
	}
	code, out, _ = runCmd(t, "chisel", "-o", "json", "topconns", path)
	var doc struct {
		Rows []map[string]any `json:"rows"`
	}
	if code != exitOK || json.Unmarshal([]byte(out), &doc) != nil || len(doc.Rows) == 0 || doc.Rows[0]["Conn"] == nil {
		t.Fatalf("topconns -o json: exit %d %s", code, out)
	}
}
