package assessment

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/evidence"
)

// slowDelete widens the window between a removal deciding that no sheet uses some bytes and
// the bytes going, where an upload of the same bytes used to slip in (issue 13, defect 2).
type slowDelete struct {
	Blobs
	delay time.Duration
}

func (s slowDelete) Delete(ctx context.Context, id string) error {
	time.Sleep(s.delay)
	return s.Blobs.Delete(ctx, id)
}

// Unit a removes a file while unit b uploads the same bytes: whenever b's upload is
// acknowledged, b's sheet links the file and the bytes can be downloaded. On disk and in
// GridFS (on the test's engine, or on MONGODB_URI).
func TestRemoveRacingUploadOfTheSameBytes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		blobs func(t *testing.T, sv *Service) Blobs
	}{
		{"disk", func(t *testing.T, _ *Service) Blobs {
			s, err := evidence.NewDiskStore(filepath.Join(t.TempDir(), "evidence"))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"gridfs", func(t *testing.T, sv *Service) Blobs { return evidence.NewGridFSStore(sv.Store.db) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sv, _ := fixture(t)
			ctx := context.Background()
			idB := ID(2026, "zi-2021", "b")
			b := &Assessment{ID: idB, Period: 2026, Instrument: "zi-2021", Unit: "b", Flow: Flow{Status: Draft}, Rev: 1}
			if err := Rescore(zi, b, &Sheet{ID: idB}, nil); err != nil {
				t.Fatal(err)
			}
			if err := sv.Store.Put(ctx, b, &Sheet{ID: idB, Rev: 1}); err != nil {
				t.Fatal(err)
			}
			sv.Blobs = slowDelete{Blobs: tc.blobs(t, sv), delay: 5 * time.Millisecond}
			const code = "P.MP.PM.1.a"
			lost := 0
			for run := range 30 {
				pdf := []byte(fmt.Sprintf("%%PDF-1.4\n%% run %d\n%%%%EOF\n", run))
				e, err := sv.AddFile(ctx, camat, sheetID, code, Upload{Name: "sk.pdf", Body: bytes.NewReader(pdf)}, 1<<20)
				if err != nil {
					t.Fatal(err)
				}
				var wg sync.WaitGroup
				var removeErr, uploadErr error
				start := make(chan struct{})
				wg.Add(2)
				go func() {
					defer wg.Done()
					<-start
					removeErr = sv.RemoveEvidence(ctx, camat, sheetID, code, e.ID)
				}()
				go func() {
					defer wg.Done()
					<-start
					time.Sleep(time.Duration(run%6) * time.Millisecond) // land at every point of the removal
					_, uploadErr = sv.AddFile(ctx, orang, idB, code, Upload{Name: "salinan.pdf", Body: bytes.NewReader(pdf)}, 1<<20)
				}()
				close(start)
				wg.Wait()
				if removeErr != nil || uploadErr != nil {
					t.Fatalf("run %d: remove %v, upload %v", run, removeErr, uploadErr)
				}
				// b's upload was acknowledged: its sheet links the bytes, and they are there.
				sh, err := sv.Store.Sheet(ctx, idB)
				if err != nil {
					t.Fatal(err)
				}
				linked := false
				for _, x := range sh.Answer(code).Evidence {
					linked = linked || x.ID == e.ID
				}
				rc, _, err := sv.Blobs.Open(ctx, e.ID)
				if err == nil {
					got, _ := io.ReadAll(rc)
					rc.Close()
					if !bytes.Equal(got, pdf) {
						t.Fatalf("run %d: bytes differ", run)
					}
				} else if !apperr.Is(err, apperr.NotFound) {
					t.Fatal(err)
				}
				if !linked || err != nil {
					lost++
					t.Errorf("run %d: b's acknowledged upload: linked %v, download error %v", run, linked, err)
				}
				refs, err := sv.Store.Refs(ctx, e.ID)
				if err != nil || len(refs) != 1 || refs[0].Unit != "b" {
					t.Errorf("run %d: references %v %v, want b's only", run, refs, err)
				}
			}
			if lost > 0 {
				t.Errorf("%d of 30 acknowledged uploads lost their file", lost)
			}
		})
	}
}
