// Package jobs runs the long work of administration in the background with its progress
// stored where every page can read it (period opening, imports, backups), and keeps the
// inputs of a previewed import until it is confirmed. Job documents live in `jobs` and staged
// inputs in `staged`, both small and read by _id.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/db"
)

// State is where a job stands.
type State string

// Job states.
const (
	Running State = "berjalan"
	Done    State = "selesai"
	Failed  State = "gagal"
)

// Job is one piece of long work and how far it got. Secret holds what the owner is shown
// once (one-time passwords of imported users); the first read by the owner after the job
// ends removes it.
type Job struct {
	ID       string     `bson:"_id" json:"id"`
	Kind     string     `bson:"kind" json:"kind"`
	Title    string     `bson:"title" json:"title"`
	Owner    string     `bson:"owner" json:"owner"`
	State    State      `bson:"state" json:"state"`
	Done     int        `bson:"done" json:"done"`
	Total    int        `bson:"total" json:"total"`
	Step     string     `bson:"step,omitempty" json:"step,omitempty"`
	Result   string     `bson:"result,omitempty" json:"result,omitempty"`
	Link     string     `bson:"link,omitempty" json:"link,omitempty"`
	Error    string     `bson:"error,omitempty" json:"error,omitempty"`
	Secret   []Pair     `bson:"secret,omitempty" json:"-"`
	Started  time.Time  `bson:"started" json:"started"`
	Finished *time.Time `bson:"finished,omitempty" json:"finished,omitempty"`
}

// Pair is one line of a secret: a name (a username, with dots: never a field name) and its value.
type Pair struct {
	Name  string `bson:"name"`
	Value string `bson:"value"`
}

// Percent is Done of Total, 0–100.
func (j *Job) Percent() int {
	if j.Total <= 0 {
		if j.State == Done {
			return 100
		}
		return 0
	}
	return j.Done * 100 / j.Total
}

// Outcome is what a job's work returns: a summary, where to go next (replacing the Link the
// job started with), and what the owner is shown once.
type Outcome struct {
	Result string
	Link   string
	Secret map[string]string
}

// Work is a job's body. It reports progress through p and runs on a context of its own (the
// request that started it has long ended).
type Work func(ctx context.Context, p *Progress) (Outcome, error)

// Runner starts jobs and reads them back.
type Runner struct {
	db     *db.DB
	coll   *mongo.Collection
	staged *mongo.Collection
	log    *slog.Logger
	now    func() time.Time

	mu     sync.Mutex
	active map[string]*live // the jobs of this process still running, with their latest progress
	wg     sync.WaitGroup
}

// live is the latest progress of a running job, as this process knows it.
type live struct {
	done, total int
	step        string
}

// jobTimeout bounds one job.
const jobTimeout = 30 * time.Minute

// NewRunner returns a Runner on d; now is the clock (nil: time.Now), log receives failures.
func NewRunner(d *db.DB, now func() time.Time, log *slog.Logger) *Runner {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Runner{db: d, coll: d.Collection("jobs"), staged: d.Collection("staged"), log: log, now: now, active: map[string]*live{}}
}

func newID() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// Start stores j as running and runs work in the background. It returns the stored job.
func (r *Runner) Start(ctx context.Context, j Job, work Work) (*Job, error) {
	id, err := newID()
	if err != nil {
		return nil, err
	}
	j.ID, j.State, j.Started = id, Running, r.now().UTC()
	if err := r.db.Write(ctx, func(ctx context.Context) error {
		_, err := r.coll.InsertOne(ctx, j)
		return err
	}); err != nil {
		return nil, fmt.Errorf("jobs.Start(%s): %w", j.Kind, err)
	}
	r.mu.Lock()
	r.active[id] = &live{}
	r.mu.Unlock()
	r.wg.Add(1)
	go r.run(j, work) // #nosec G118 -- a job outlives the request that started it; Close waits for it
	return &j, nil
}

func (r *Runner) run(j Job, work Work) {
	defer r.wg.Done()
	defer func() {
		r.mu.Lock()
		delete(r.active, j.ID)
		r.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), jobTimeout)
	defer cancel()
	p := &Progress{r: r, id: j.ID}
	out, err := func() (out Outcome, err error) {
		defer func() {
			if v := recover(); v != nil {
				err = fmt.Errorf("panic: %v", v)
			}
		}()
		return work(ctx, p)
	}()
	done := r.now().UTC()
	set := bson.D{{Key: "finished", Value: done}}
	if err != nil {
		msg := apperr.Message(err)
		if msg == "" || apperr.KindOf(err) == apperr.Internal {
			r.log.Error("job failed", "job", j.ID, "kind", j.Kind, "err", err)
			msg = "Terjadi kesalahan pada server; pekerjaan dihentikan. Coba lagi atau hubungi pengelola."
		}
		set = append(set, bson.E{Key: "state", Value: Failed}, bson.E{Key: "error", Value: msg})
	} else {
		set = append(set, bson.E{Key: "state", Value: Done}, bson.E{Key: "result", Value: out.Result})
		if out.Link != "" {
			set = append(set, bson.E{Key: "link", Value: out.Link})
		}
		if p.total > 0 {
			set = append(set, bson.E{Key: "done", Value: p.total}, bson.E{Key: "total", Value: p.total})
		}
		if len(out.Secret) > 0 {
			pairs := make([]Pair, 0, len(out.Secret))
			for k, v := range out.Secret {
				pairs = append(pairs, Pair{Name: k, Value: v})
			}
			slices.SortFunc(pairs, func(a, b Pair) int { return strings.Compare(a.Name, b.Name) })
			set = append(set, bson.E{Key: "secret", Value: pairs})
		}
	}
	// A fresh context: the work's may have run out, and the outcome must still be recorded.
	wctx, wcancel := context.WithTimeout(context.Background(), time.Minute)
	defer wcancel()
	if werr := r.db.Write(wctx, func(ctx context.Context) error {
		_, err := r.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: j.ID}}, bson.D{{Key: "$set", Value: set}})
		return err
	}); werr != nil {
		r.log.Error("recording a job's end", "job", j.ID, "err", werr)
	}
}

// Wait blocks until every job started by this runner has ended (tests, shutdown).
func (r *Runner) Wait() { r.wg.Wait() }

// Get returns a job. A job of this data directory left running by a process that is gone
// (embedded engine: one process) reads as failed. Errors: NotFound.
func (r *Runner) Get(ctx context.Context, id string) (*Job, error) {
	var j Job
	err := r.coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&j)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, apperr.New(apperr.NotFound, "Pekerjaan tidak ditemukan.")
	} else if err != nil {
		return nil, fmt.Errorf("jobs.Get(%s): %w", id, err)
	}
	r.mu.Lock()
	l, alive := r.active[id]
	if alive && j.State == Running && l.total > 0 {
		j.Done, j.Total, j.Step = l.done, l.total, l.step // fresher than the stored progress
	}
	r.mu.Unlock()
	if j.State == Running && !alive && r.db.Embedded {
		j.State, j.Error = Failed, "Pekerjaan terhenti karena aplikasi dimulai ulang. Ulangi pekerjaan ini."
	}
	return &j, nil
}

// TakeSecret returns a finished job's secret and removes it from storage: it is shown once.
func (r *Runner) TakeSecret(ctx context.Context, j *Job) ([]Pair, error) {
	if j.State == Running || len(j.Secret) == 0 {
		return nil, nil
	}
	err := r.db.Write(ctx, func(ctx context.Context) error {
		_, err := r.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: j.ID}}, bson.D{{Key: "$unset", Value: bson.D{{Key: "secret", Value: ""}}}})
		return err
	})
	return j.Secret, err
}

// Progress reports how far a job got; writes are spaced so that progress never slows the work.
type Progress struct {
	r     *Runner
	id    string
	total int
	last  time.Time
}

// progressEvery spaces the progress writes.
const progressEvery = 250 * time.Millisecond

// Note records progress in this process only: for work that holds the write lock (a backup),
// where storing it would wait for the work itself. Pages served by this process see it.
func (p *Progress) Note(done, total int, step string) {
	p.total = total
	p.r.mu.Lock()
	if l := p.r.active[p.id]; l != nil {
		l.done, l.total, l.step = done, total, step
	}
	p.r.mu.Unlock()
}

// Set records that done of total steps are complete and what is happening now, in this
// process and in the database (for other instances on MongoDB). Callers that hold the write
// lock must not call it (it takes the lock): call it between writes, or use Note.
func (p *Progress) Set(ctx context.Context, done, total int, step string) {
	p.Note(done, total, step)
	if done < total && time.Since(p.last) < progressEvery {
		return
	}
	p.last = time.Now()
	err := p.r.db.Write(ctx, func(ctx context.Context) error {
		_, err := p.r.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: p.id}}, bson.D{{Key: "$set", Value: bson.D{
			{Key: "done", Value: done}, {Key: "total", Value: total}, {Key: "step", Value: step}}}})
		return err
	})
	if err != nil {
		p.r.log.Warn("recording progress", "job", p.id, "err", err)
	}
}
