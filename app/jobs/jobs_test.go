package jobs

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/dbtest"
)

var engine *db.DB

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, &engine)) }

func runner(t *testing.T) *Runner {
	t.Helper()
	d := dbtest.Fresh(t, engine)
	if err := d.Prepare(context.Background(), "jobs", "staged"); err != nil {
		t.Fatal(err)
	}
	return NewRunner(d, nil, nil)
}

func TestJobRunsToItsOutcomeAndShowsTheSecretOnce(t *testing.T) {
	r := runner(t)
	ctx := context.Background()
	release := make(chan struct{})
	j, err := r.Start(ctx, Job{Kind: "import", Title: "Impor pengguna", Owner: "admin", Link: "/admin/pengguna"}, func(ctx context.Context, p *Progress) (Outcome, error) {
		p.Set(ctx, 1, 4, "membaca berkas")
		<-release
		return Outcome{Result: "3 pengguna dibuat", Secret: map[string]string{"staf.b": "kata2", "camat.a": "kata1"}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for { // the progress of a running job, as this process knows it
		got, err := r.Get(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != Running {
			t.Fatalf("state %q while the work runs", got.State)
		}
		if got.Total == 4 {
			if got.Done != 1 || got.Step != "membaca berkas" || got.Percent() != 25 {
				t.Errorf("progress %d/%d %q (%d%%), want 1/4 membaca berkas (25%%)", got.Done, got.Total, got.Step, got.Percent())
			}
			break
		}
	}
	close(release)
	r.Wait()
	got, err := r.Get(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != Done || got.Result != "3 pengguna dibuat" || got.Finished == nil || got.Percent() != 100 {
		t.Errorf("finished job = %+v", got)
	}
	pairs, err := r.TakeSecret(ctx, got)
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) != 2 || pairs[0].Name != "camat.a" || pairs[1].Value != "kata2" {
		t.Errorf("secret = %+v, want both pairs in name order", pairs)
	}
	again, _ := r.Get(ctx, j.ID)
	if len(again.Secret) != 0 {
		t.Error("the secret is still stored after it was shown")
	}
}

func TestFailedJobsSayWhyInIndonesian(t *testing.T) {
	r := runner(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		work Work
		want string
	}{
		{"refused", func(context.Context, *Progress) (Outcome, error) {
			return Outcome{}, apperr.New(apperr.Invalid, "Baris 3: unit tidak dikenal.")
		}, "Baris 3: unit tidak dikenal."},
		{"internal", func(context.Context, *Progress) (Outcome, error) {
			return Outcome{}, errors.New("mongo: connection reset")
		}, "Terjadi kesalahan pada server"},
		{"panic", func(context.Context, *Progress) (Outcome, error) { panic("bug") }, "Terjadi kesalahan pada server"},
	} {
		j, err := r.Start(ctx, Job{Kind: "import", Owner: "admin"}, tc.work)
		if err != nil {
			t.Fatal(err)
		}
		r.Wait()
		got, err := r.Get(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != Failed || !strings.HasPrefix(got.Error, tc.want) || strings.Contains(got.Error, "mongo") {
			t.Errorf("%s: state %q, error %q; want failed with %q", tc.name, got.State, got.Error, tc.want)
		}
	}
	if _, err := r.Get(ctx, "tidak-ada"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("an unknown job: %v, want NotFound", err)
	}
}

// On the embedded engine one process runs the jobs: a job stored as running that no runner of
// this process knows was cut off by a restart, and reads as failed.
func TestAJobCutOffByARestartReadsAsFailed(t *testing.T) {
	r := runner(t)
	if !r.db.Embedded {
		t.Skip("on MongoDB another instance may be running it")
	}
	ctx := context.Background()
	release := make(chan struct{})
	j, err := r.Start(ctx, Job{Kind: "backup", Owner: "admin"}, func(context.Context, *Progress) (Outcome, error) {
		<-release
		return Outcome{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	restarted := NewRunner(r.db, nil, nil)
	got, err := restarted.Get(ctx, j.ID)
	close(release)
	r.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if got.State != Failed || !strings.Contains(got.Error, "dimulai ulang") {
		t.Errorf("after a restart: state %q, error %q", got.State, got.Error)
	}
}
