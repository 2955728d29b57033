package db

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"

	_ "modernc.org/sqlite" // the driver FerretDB itself uses; registered as "sqlite"
)

// Prepare creates the named collections when missing (on both engines), and on the embedded
// engine gives each an index SQLite can use for lookups by _id.
//
// Why: FerretDB's SQLite backend filters `_id` with the expression
// `_ferretdb_sjson->'$._id'`, but indexes `_ferretdb_sjson->"_id"`; SQLite matches index
// expressions textually, so every lookup by _id parses the JSON of every row of the
// collection (FerretDB #3235). With sheets of ~20 KB that is ~0.5 ms per stored sheet for
// every read or write of one. An index on the exact expression turns it into a B-tree lookup.
// The index lives in SQLite only; FerretDB neither lists nor needs it, and drops it with the
// table.
func (d *DB) Prepare(ctx context.Context, collections ...string) error {
	have, err := d.Database.ListCollectionNames(ctx, map[string]any{})
	if err != nil {
		return fmt.Errorf("listing collections: %w", err)
	}
	for _, c := range collections {
		if slices.Contains(have, c) {
			continue
		}
		if err := d.Write(ctx, func(ctx context.Context) error { return d.Database.CreateCollection(ctx, c) }); err != nil {
			return fmt.Errorf("creating collection %s: %w", c, err)
		}
	}
	if !d.Embedded {
		return nil
	}
	if err := d.Write(ctx, d.indexIDs); err != nil {
		return err
	}
	// The SQLite file exists now: mark DATA_DIR as holding a database (see markerFile).
	return writeMarker(d.dataDir, d.Database.Name())
}

func (d *DB) indexIDs(ctx context.Context) error {
	file := filepath.Join(d.dataDir, "db", d.Database.Name()+".sqlite")
	u := url.URL{Scheme: "file", Path: file, RawQuery: "_pragma=busy_timeout(30000)"}
	conn, err := sql.Open("sqlite", u.String())
	if err != nil {
		return fmt.Errorf("opening %s: %w", file, err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, `SELECT table_name FROM _ferretdb_collections`)
	if err != nil {
		return fmt.Errorf("reading the engine's collections in %s: %w", file, err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			_ = rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	_ = rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, t+"_raporrb_id", t)
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("indexing _id of %s: %w", t, err)
		}
	}
	return nil
}
