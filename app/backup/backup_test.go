package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/dbtest"
	"github.com/rapor-rb/raporrb/app/evidence"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/scoring"
	"github.com/rapor-rb/raporrb/seed/instruments"
)

var engine *db.DB

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, &engine)) }

var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// fill stores a small installation: a period, two assessments with answers (several versions
// of some, so the history has depth), evidence files and a link, and a session.
func fill(t *testing.T, d *db.DB, evidenceDir string) {
	t.Helper()
	ctx := context.Background()
	cat, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Prepare(ctx, "assessments", "sheets", "history", "periods", "evidence_refs", "sessions", "users"); err != nil {
		t.Fatal(err)
	}
	periods := period.NewStore(d)
	if err := periods.Put(ctx, period.Period{Year: 2026, Instruments: []period.Window{{Instrument: "zi-2021", Opens: "2026-01-15", SelfDeadline: "2026-12-31", ReviewDeadline: "2026-12-31"}}}); err != nil {
		t.Fatal(err)
	}
	blobs, err := evidence.NewDiskStore(evidenceDir)
	if err != nil {
		t.Fatal(err)
	}
	st := assessment.NewStore(d)
	now := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	sv := &assessment.Service{Store: st, Blobs: blobs, Periods: periods, Catalog: cat, Now: func() time.Time { return now }}
	zi, _ := cat.Get("zi-2021")
	for _, unit := range []string{"a", "b"} {
		if _, err := st.Open(ctx, zi, 2026, unit, now); err != nil {
			t.Fatal(err)
		}
		u := &account.User{Username: "camat." + unit, Role: account.Camat, Unit: unit}
		id := assessment.ID(2026, "zi-2021", unit)
		for rev, opt := range []string{"Ya", "Tidak", "Ya"} {
			if _, _, err := sv.SaveAnswer(ctx, u, id, assessment.AnswerInput{Indicator: "P.MP.PM.1.a", Answer: scoring.Answer{Option: opt}, Rev: int64(rev)}); err != nil {
				t.Fatal(err)
			}
		}
		x := 42.5
		if _, _, err := sv.SaveAnswer(ctx, u, id, assessment.AnswerInput{Indicator: "P.MP.RF.1.b", Answer: scoring.Answer{Number: &x}, Note: "rekap"}); err != nil {
			t.Fatal(err)
		}
		content := append(append([]byte{}, pdf...), []byte("% unit "+unit+"\n")...)
		if _, err := sv.AddFile(ctx, u, id, "P.MP.PM.1.a", assessment.Upload{Name: "SK " + unit + ".pdf", Body: bytes.NewReader(content)}, 1<<20); err != nil {
			t.Fatal(err)
		}
		// The same bytes in both units: stored once, referenced twice.
		if _, err := sv.AddFile(ctx, u, id, "P.MP.RF.1.b", assessment.Upload{Name: "bersama.pdf", Body: bytes.NewReader(pdf)}, 1<<20); err != nil {
			t.Fatal(err)
		}
		if _, err := sv.AddLink(ctx, u, id, "P.MP.RF.1.b", "https://contoh.go.id/"+unit, "Berita"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := account.NewStore(d).NewSession(ctx, "camat.a", account.WebSession, time.Hour); err != nil {
		t.Fatal(err)
	}
}

// snapshot reads every document of the collections the backup keeps, as canonical extended
// JSON in _id order, and the SHA-256 of every evidence file against its name.
func snapshot(t *testing.T, d *db.DB, evidenceDir string) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for _, coll := range []string{"assessments", "sheets", "history", "periods", "evidence_refs", "sessions"} {
		cur, err := d.Collection(coll).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
		if err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		for cur.Next(ctx) {
			b, err := bson.MarshalExtJSON(cur.Current, true, false)
			if err != nil {
				t.Fatal(err)
			}
			sb.Write(b)
			sb.WriteByte('\n')
		}
		out[coll] = sb.String()
	}
	ids, err := evidenceFiles(evidenceDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		b, err := os.ReadFile(evidencePath(evidenceDir, id))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		out["evidence/"+id] = hex.EncodeToString(sum[:])
	}
	return out
}

// Backup → wipe → restore gives back identical assessments, answers, history and evidence
// bytes (SHA-256 compared); sessions are not brought back.
func TestBackupWipeRestoreRoundTrip(t *testing.T) {
	d := dbtest.Fresh(t, engine)
	dir := filepath.Join(t.TempDir(), "evidence")
	fill(t, d, dir)
	before := snapshot(t, d, dir)
	if len(before["history"]) == 0 || !strings.Contains(before["sheets"], "P.MP.RF.1.b") {
		t.Fatalf("nothing to back up: %v", before)
	}
	nfiles := 0
	for k, sum := range before {
		if strings.HasPrefix(k, "evidence/") {
			nfiles++
			if k != "evidence/"+sum {
				t.Fatalf("evidence %s holds bytes of %s", k, sum)
			}
		}
	}
	if nfiles != 3 {
		t.Fatalf("%d evidence files, want 3 (two per-unit SKs and one shared file)", nfiles)
	}

	nHistory, err := d.Collection("history").CountDocuments(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var archive bytes.Buffer
	var steps []string
	m, err := Write(context.Background(), d, dir, &archive, func(i, n int, what string) { steps = append(steps, fmt.Sprintf("%d/%d %s", i, n, what)) })
	if err != nil {
		t.Fatal(err)
	}
	if m.Evidence != 3 || m.Collections["sheets"] != 2 || int64(m.Collections["history"]) != nHistory || m.Collections["sessions"] != 0 {
		t.Errorf("manifest = %+v", m)
	}
	if len(steps) < 5 || !strings.HasSuffix(steps[len(steps)-1], "selesai") {
		t.Errorf("progress = %v", steps)
	}

	// Wipe.
	if err := d.Database.Drop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(context.Background(), d, dir, bytes.NewReader(archive.Bytes()), false, nil); err != nil {
		t.Fatal(err)
	}
	after := snapshot(t, d, dir)
	for k, v := range before {
		if k == "sessions" {
			continue
		}
		if after[k] != v {
			t.Errorf("%s differs after the round trip:\nbefore %.300s\nafter  %.300s", k, v, after[k])
		}
	}
	if after["sessions"] != "" {
		t.Errorf("sessions came back: %s", after["sessions"])
	}
	if len(after) != len(before) {
		t.Errorf("%d items after, %d before", len(after), len(before))
	}

	// A data directory that holds data is refused unless forced; forced, it is replaced.
	if _, err := Restore(context.Background(), d, dir, bytes.NewReader(archive.Bytes()), false, nil); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("restore over data = %v, want ErrNotEmpty", err)
	}
	if _, err := d.Collection("sheets").DeleteMany(context.Background(), bson.D{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(context.Background(), d, dir, bytes.NewReader(archive.Bytes()), true, nil); err != nil {
		t.Fatal(err)
	}
	if got := snapshot(t, d, dir); got["sheets"] != before["sheets"] {
		t.Errorf("forced restore did not bring the sheets back")
	}

	// A truncated or foreign archive is refused with a reason.
	fresh := dbtest.Fresh(t, engine)
	for name, data := range map[string][]byte{"truncated": archive.Bytes()[:archive.Len()/2], "not gzip": []byte("halo")} {
		if _, err := Restore(context.Background(), fresh, filepath.Join(t.TempDir(), "ev"), bytes.NewReader(data), false, nil); err == nil {
			t.Errorf("%s archive restored", name)
		}
	}
}

// A damaged evidence file is caught: the backup refuses bytes that no longer match their name.
func TestBackupRefusesDamagedEvidence(t *testing.T) {
	d := dbtest.Fresh(t, engine)
	dir := filepath.Join(t.TempDir(), "evidence")
	fill(t, d, dir)
	ids, _ := evidenceFiles(dir)
	if err := os.WriteFile(evidencePath(dir, ids[0]), []byte("rusak"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(context.Background(), d, dir, io.Discard, nil); err == nil || !strings.Contains(err.Error(), "SHA-256") {
		t.Errorf("backup of a damaged file = %v", err)
	}
}
