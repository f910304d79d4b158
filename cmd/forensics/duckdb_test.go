//go:build duckdb

// DuckDB is a second independent reader of the Parquet exports, the one
// DESIGN.md names for a fleet's data lake. It is cgo and large (a minute
// to build the first time), so its test runs only with the duckdb build
// tag: make test-duckdb.

package main

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"forensics/table"
)

// TestDuckDBReadsLake: DuckDB reads a hive-partitioned export of two hosts
// as one table with host and hour columns, with the rows and values
// `forensics query -o json` prints, and joins events to processes.
func TestDuckDBReadsLake(t *testing.T) {
	set := filepath.Join(t.TempDir(), "set")
	makeHourSet(t, set, "db-02", 3000)
	inc := incident(t)
	lake := filepath.Join(t.TempDir(), "lake")
	for _, c := range []string{inc, set} {
		if code, _, stderr := runCmd(t, "export", "--format", "parquet", c, lake); code != exitOK {
			t.Fatalf("export %s: exit %d: %s", c, code, stderr)
		}
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	events := "read_parquet('" + filepath.Join(lake, "events", "**", "*.parquet") + "', hive_partitioning = true)"
	procs := "read_parquet('" + filepath.Join(lake, "processes", "**", "*.parquet") + "', hive_partitioning = true)"

	for host, capture := range map[string]string{"web-01": inc, "db-02": set} {
		want := queryJSON(t, capture)
		var sel []string
		for _, name := range table.DefaultEventColumns {
			col := table.ColumnName(name)
			if col == "evt_rawtime" {
				col = "epoch_ns(evt_rawtime)"
			}
			sel = append(sel, "CAST("+col+" AS VARCHAR)")
		}
		rows, err := db.Query("SELECT "+strings.Join(sel, ", ")+" FROM "+events+" WHERE host = ? ORDER BY evt_num", host)
		if err != nil {
			t.Fatal(err)
		}
		var got []map[string]string
		vals := make([]sql.NullString, len(sel))
		ptrs := make([]any, len(sel))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			row := map[string]string{}
			for i, name := range table.DefaultEventColumns {
				row[table.ColumnName(name)] = "null"
				if vals[i].Valid {
					row[table.ColumnName(name)] = vals[i].String
				}
			}
			got = append(got, row)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		compareRows(t, "duckdb "+host, want, got)
	}

	var hosts, hours, unjoined int
	if err := db.QueryRow("SELECT count(DISTINCT host), count(DISTINCT host || hour) FROM "+events).Scan(&hosts, &hours); err != nil {
		t.Fatal(err)
	}
	if hosts != 2 || hours < 3 {
		t.Errorf("%d hosts, %d host hours", hosts, hours)
	}
	q := "SELECT count(*) FROM " + events + " e LEFT JOIN " + procs + " p ON p.host = e.host AND p.proc_key = e.proc_key WHERE e.proc_key IS NOT NULL AND p.proc_key IS NULL"
	if err := db.QueryRow(q).Scan(&unjoined); err != nil {
		t.Fatal(err)
	}
	if unjoined != 0 {
		t.Errorf("%d events without their process", unjoined)
	}
}
