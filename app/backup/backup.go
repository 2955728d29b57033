// Package backup writes and restores a whole embedded installation: every collection of the
// database and every evidence file, in one tar.gz. The database part is laid out as mongodump
// lays out a dump (dump/<database>/<collection>.bson, each a run of BSON documents), so
// `mongorestore` reads it too. On MongoDB the same is done with mongodump (GridFS included);
// see the README.
//
// Archive layout:
//
//	raporrb-backup.json                 manifest: format, time, database, counts, evidence SHA-256s
//	dump/<database>/<collection>.bson   the documents of each collection
//	evidence/<aa>/<sha256>              evidence bytes, named by their SHA-256
package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/evidence"
)

// Format is the version of the archive layout.
const Format = 1

const manifestName = "raporrb-backup.json"

// skipped are collections a backup leaves out: sessions (a restore must not bring logins
// back), running jobs and previews waiting for confirmation.
var skipped = []string{"sessions", "jobs", "staged"}

// Manifest describes an archive.
type Manifest struct {
	Format      int            `json:"format"`
	Created     time.Time      `json:"created"`
	Database    string         `json:"database"`
	Collections map[string]int `json:"collections"` // name → documents
	Evidence    int            `json:"evidence"`    // files
	Bytes       int64          `json:"evidence_bytes"`
}

// Progress receives what is being done: step i of n, and a line saying what.
type Progress func(i, n int, what string)

func quiet(int, int, string) {}

// Write dumps d's database and the evidence files under evidenceDir into w as a tar.gz,
// holding the engine's write lock throughout, so the archive is one consistent moment (reads
// go on; writes wait). Embedded engine only: on MongoDB use mongodump.
func Write(ctx context.Context, d *db.DB, evidenceDir string, w io.Writer, progress Progress) (_ *Manifest, err error) {
	if !d.Embedded {
		return nil, errors.New("backup: only the embedded engine is backed up this way; on MongoDB use mongodump (see the README)")
	}
	if progress == nil {
		progress = quiet
	}
	var m *Manifest
	err = d.Write(ctx, func(ctx context.Context) error {
		m, err = write(ctx, d, evidenceDir, w, progress)
		return err
	})
	return m, err
}

func write(ctx context.Context, d *db.DB, evidenceDir string, w io.Writer, progress Progress) (*Manifest, error) {
	names, err := d.Database.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("backup: listing collections: %w", err)
	}
	names = slices.DeleteFunc(names, func(n string) bool { return slices.Contains(skipped, n) })
	slices.Sort(names)
	files, err := evidenceFiles(evidenceDir)
	if err != nil {
		return nil, err
	}
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	m := &Manifest{Format: Format, Created: time.Now().UTC().Truncate(time.Second), Database: d.Database.Name(), Collections: map[string]int{}}
	steps := len(names) + len(files)
	for i, name := range names {
		progress(i, steps, "koleksi "+name)
		n, err := dumpCollection(ctx, d, name, tw)
		if err != nil {
			return nil, err
		}
		m.Collections[name] = n
	}
	for i, id := range files {
		if i%20 == 0 {
			progress(len(names)+i, steps, fmt.Sprintf("berkas bukti %d dari %d", i+1, len(files)))
		}
		n, err := addEvidence(tw, evidenceDir, id)
		if err != nil {
			return nil, err
		}
		m.Evidence++
		m.Bytes += n
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := addFile(tw, manifestName, b); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := gz.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	progress(steps, steps, "selesai")
	return m, nil
}

// dumpCollection writes one collection as a .bson entry: its documents, back to back, in _id
// order. Documents are copied as raw bytes, never decoded into Go values.
func dumpCollection(ctx context.Context, d *db.DB, name string, tw *tar.Writer) (int, error) {
	cur, err := d.Collection(name).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return 0, fmt.Errorf("backup: reading %s: %w", name, err)
	}
	defer cur.Close(ctx)
	tmp, err := os.CreateTemp("", "raporrb-backup-*.bson")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n := 0
	for cur.Next(ctx) {
		if _, err := tmp.Write(cur.Current); err != nil {
			return 0, err
		}
		n++
	}
	if err := cur.Err(); err != nil {
		return 0, fmt.Errorf("backup: reading %s: %w", name, err)
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	hdr := &tar.Header{Name: path.Join("dump", d.Database.Name(), name+".bson"), Mode: 0o600, Size: size, ModTime: time.Now()}
	if err := tw.WriteHeader(hdr); err != nil {
		return 0, err
	}
	if _, err := io.Copy(tw, tmp); err != nil {
		return 0, fmt.Errorf("backup: writing %s: %w", name, err)
	}
	return n, nil
}

// evidenceFiles lists the ids of the evidence stored under dir (sorted); staging files are
// not evidence.
func evidenceFiles(dir string) ([]string, error) {
	var ids []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == dir {
			return fs.SkipAll
		}
		if err != nil {
			return err
		}
		if e.IsDir() && e.Name() == "tmp" {
			return fs.SkipDir
		}
		if !e.IsDir() && evidence.ValidID(e.Name()) {
			ids = append(ids, e.Name())
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup: listing evidence in %s: %w", dir, err)
	}
	slices.Sort(ids)
	return ids, nil
}

func evidencePath(dir, id string) string { return filepath.Join(dir, id[:2], id) }

func addEvidence(tw *tar.Writer, dir, id string) (int64, error) {
	f, err := os.Open(evidencePath(dir, id))
	if err != nil {
		return 0, fmt.Errorf("backup: evidence %s: %w", id, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: path.Join("evidence", id[:2], id), Mode: 0o600, Size: st.Size(), ModTime: st.ModTime()}); err != nil {
		return 0, err
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tw, h), f); err != nil {
		return 0, fmt.Errorf("backup: evidence %s: %w", id, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != id {
		return 0, fmt.Errorf("backup: evidence %s does not match its SHA-256 (damaged file?)", id)
	}
	return st.Size(), nil
}

func addFile(tw *tar.Writer, name string, b []byte) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(b)), ModTime: time.Now()}); err != nil {
		return err
	}
	_, err := tw.Write(b)
	return err
}

// ErrNotEmpty is returned by Restore for a database or evidence directory that holds data.
var ErrNotEmpty = errors.New("the data directory is not empty")

// Restore loads an archive written by Write into d's database and evidenceDir. It refuses
// (ErrNotEmpty) when the database holds any document or evidenceDir any file, unless force,
// which first drops the database and removes the evidence. Every evidence file is checked
// against its SHA-256 on the way in. The caller then runs the application's start-up
// preparation (indexes, migrations) before serving.
func Restore(ctx context.Context, d *db.DB, evidenceDir string, r io.Reader, force bool, progress Progress) (_ *Manifest, err error) {
	if progress == nil {
		progress = quiet
	}
	empty, err := isEmpty(ctx, d, evidenceDir)
	if err != nil {
		return nil, err
	}
	if !empty && !force {
		return nil, ErrNotEmpty
	}
	var m *Manifest
	err = d.Write(ctx, func(ctx context.Context) error {
		if !empty {
			if err := d.Database.Drop(ctx); err != nil {
				return fmt.Errorf("restore: dropping the database: %w", err)
			}
			if err := os.RemoveAll(evidenceDir); err != nil {
				return fmt.Errorf("restore: removing %s: %w", evidenceDir, err)
			}
		}
		m, err = restore(ctx, d, evidenceDir, r, progress)
		return err
	})
	return m, err
}

func isEmpty(ctx context.Context, d *db.DB, evidenceDir string) (bool, error) {
	names, err := d.Database.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return false, fmt.Errorf("restore: %w", err)
	}
	for _, n := range names {
		c, err := d.Collection(n).CountDocuments(ctx, bson.D{})
		if err != nil {
			return false, fmt.Errorf("restore: counting %s: %w", n, err)
		}
		if c > 0 {
			return false, nil
		}
	}
	ids, err := evidenceFiles(evidenceDir)
	return len(ids) == 0, err
}

func restore(ctx context.Context, d *db.DB, evidenceDir string, r io.Reader, progress Progress) (*Manifest, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, errors.New("restore: not a Rapor RB backup (not gzip)")
	}
	tr := tar.NewReader(gz)
	var m *Manifest
	counts := map[string]int{}
	files := 0
	for i := 0; ; i++ {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("restore: damaged archive: %w", err)
		}
		switch name := hdr.Name; {
		case name == manifestName:
			m = &Manifest{}
			if err := json.NewDecoder(tr).Decode(m); err != nil {
				return nil, fmt.Errorf("restore: damaged manifest: %w", err)
			}
		case strings.HasPrefix(name, "dump/") && strings.HasSuffix(name, ".bson"):
			coll := strings.TrimSuffix(path.Base(name), ".bson")
			progress(i, 0, "koleksi "+coll)
			n, err := loadCollection(ctx, d, coll, tr)
			if err != nil {
				return nil, err
			}
			counts[coll] = n
		case strings.HasPrefix(name, "evidence/"):
			id := path.Base(name)
			if !evidence.ValidID(id) {
				return nil, fmt.Errorf("restore: unexpected entry %s", name)
			}
			if files%20 == 0 {
				progress(i, 0, fmt.Sprintf("berkas bukti %d", files+1))
			}
			if err := writeEvidence(evidenceDir, id, tr); err != nil {
				return nil, err
			}
			files++
		default:
			return nil, fmt.Errorf("restore: unexpected entry %s", name)
		}
	}
	if m == nil {
		return nil, errors.New("restore: not a Rapor RB backup (no manifest)")
	}
	if m.Format != Format {
		return nil, fmt.Errorf("restore: archive format %d, this version reads %d", m.Format, Format)
	}
	for coll, want := range m.Collections {
		if counts[coll] != want {
			return nil, fmt.Errorf("restore: %s holds %d documents, the manifest says %d (truncated archive?)", coll, counts[coll], want)
		}
	}
	if files != m.Evidence {
		return nil, fmt.Errorf("restore: %d evidence files, the manifest says %d (truncated archive?)", files, m.Evidence)
	}
	progress(1, 1, "selesai")
	return m, nil
}

// loadCollection inserts the BSON documents of one dump file, a batch at a time.
func loadCollection(ctx context.Context, d *db.DB, coll string, r io.Reader) (int, error) {
	if err := d.Database.CreateCollection(ctx, coll); err != nil {
		return 0, fmt.Errorf("restore: creating %s: %w", coll, err)
	}
	var batch []any
	n := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := d.Collection(coll).InsertMany(ctx, batch); err != nil {
			return fmt.Errorf("restore: inserting into %s: %w", coll, err)
		}
		batch = batch[:0]
		return nil
	}
	for {
		doc, err := bson.ReadDocument(r)
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return 0, fmt.Errorf("restore: reading %s: %w", coll, err)
		}
		batch = append(batch, bson.Raw(doc))
		n++
		if len(batch) == 100 {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	return n, flush()
}

// writeEvidence stores one file under its id, verifying the SHA-256 before it becomes visible.
func writeEvidence(dir, id string, r io.Reader) error {
	dst := evidencePath(dir, id)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".restore-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tmp, h), r); err != nil {
		_ = tmp.Close() // the copy's error is the one to report
		return fmt.Errorf("restore: evidence %s: %w", id, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if hex.EncodeToString(h.Sum(nil)) != id {
		return fmt.Errorf("restore: evidence %s does not match its SHA-256 (damaged archive)", id)
	}
	return os.Rename(tmp.Name(), dst)
}
