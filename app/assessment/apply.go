package assessment

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/scoring"
)

// Change is one write of an assessment as its mutation sees it: the assessment and its sheet
// as read under the engine's write discipline, the instrument, the time, and what the write
// must also record once it has landed.
type Change struct {
	A     *Assessment
	Sheet *Sheet
	Inst  *instrument.Instrument
	Now   time.Time

	events   []audit.Event
	versions []Version
	after    []func(context.Context) error
}

// Status is the workflow status the write judges: the sheet's, read under the lock.
func (c *Change) Status() Status { return c.Sheet.Flow.Status }

// Answer returns the sheet's answer to indicator, adding an empty one when there is none.
func (c *Change) Answer(indicator string) *Answer {
	if a := c.Sheet.Answer(indicator); a != nil {
		return a
	}
	c.Sheet.Answers = append(c.Sheet.Answers, Answer{Indicator: indicator})
	return &c.Sheet.Answers[len(c.Sheet.Answers)-1]
}

// Audit records an action on this assessment in the audit log, once the write has landed.
func (c *Change) Audit(actor string, act audit.Action, format string, args ...any) {
	c.events = append(c.events, audit.Event{At: c.Now, Actor: actor, Action: act, Target: c.A.ID, Unit: c.A.Unit,
		Detail: fmt.Sprintf(format, args...)})
}

// Keep appends v to the answer history once the write has landed.
func (c *Change) Keep(v Version) { c.versions = append(c.versions, v) }

// After runs fn once the sheet has landed (inside the same write), e.g. dropping an evidence
// reference only when no sheet links the bytes any more.
func (c *Change) After(fn func(context.Context) error) { c.after = append(c.after, fn) }

// maxAttempts bounds the retries of a write that keeps losing the race for its sheet.
const maxAttempts = 20

// Apply is the one write path of an assessment: answers, evidence, submission, reviews,
// findings, returns, finalization and reopening all go through it.
//
// Under the engine's write discipline it reads the assessment and its sheet afresh and lets
// mutate judge that state (status, revs, deadline) and change the sheet and its flow. The
// write order keeps every crash repairable by rescoring: first the sheet, conditioned on the
// rev read (another writer in between means read, judge and change again: on MongoDB, where no
// lock is held, this is what makes a transition and a racing save see each other); then the
// derived assessment (status copy, snapshots, progress), conditioned on the sheet rev so it
// never goes back in time; then the after-hooks, the history versions, the ranking board line
// and the audit events of what landed. Errors from mutate abort its change unchanged.
//
// On the embedded engine, the writes that queue for the write lock are applied together by
// whoever takes it (group commit). Writes to one sheet are applied in turn, each mutate judging
// the state the ones before it left (a failing one is rolled back alone), and the sheet, its
// assessment and its board line are stored once for all of them; the history versions, board
// lines and audit events of every sheet in the group are written together. On the eve of a
// deadline, when a kecamatan's staff all save at once, a save thus costs a fraction of a
// sheet write. The Change returned holds the assessment and sheet as that write left them.
func (sv *Service) Apply(ctx context.Context, id string, mutate func(ctx context.Context, c *Change) error) (*Change, error) {
	// Last year's final predicates (a WBK kept or lost) are read before the lock: they change
	// only when last year's sheet is reopened, which the next save here scores again.
	prev, err := sv.Store.previousOf(ctx, id)
	if err != nil {
		return nil, err
	}
	me := &pendingWrite{id: id, prev: prev, ctx: ctx, mutate: mutate, done: make(chan struct{}), lead: make(chan struct{})}
	if !sv.Store.db.Embedded { // no lock to queue for: each write is its own group
		sv.applyGroup(ctx, [][]*pendingWrite{{me}})
		return me.out, me.err
	}
	q := &sv.Store.queue
	if !q.join(me) {
		select {
		case <-me.done: // applied by the leader of a round
			return me.out, me.err
		case <-me.lead: // handed the lead, with this write still queued
		}
	}
	// The leader takes the write lock, then everything queued by then (its own write too), and
	// applies it in one round; then it hands the lead to a write that arrived meanwhile. One
	// round per leader: no caller waits for more than the round its own write is in and the
	// one before it.
	func() {
		defer q.handOff()
		_ = sv.Store.db.Write(ctx, func(ctx context.Context) error {
			sv.applyGroup(ctx, q.take())
			return nil
		})
	}()
	<-me.done // settled in the round above
	return me.out, me.err
}

// pendingWrite is one Apply waiting for the write lock; done is closed once out or err is
// set, lead when it is to lead the next round.
type pendingWrite struct {
	id     string
	prev   scoring.Previous
	ctx    context.Context
	mutate func(ctx context.Context, c *Change) error
	out    *Change
	err    error
	done   chan struct{}
	lead   chan struct{}
}

// writeQueue holds the writes waiting for the write lock, per sheet in order of arrival, and
// whether one of their callers leads (embedded engine only).
type writeQueue struct {
	mu      sync.Mutex
	order   []string
	m       map[string][]*pendingWrite
	leading bool
}

// join queues w and reports whether its caller is to lead (no one else does).
func (q *writeQueue) join(w *pendingWrite) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.m == nil {
		q.m = map[string][]*pendingWrite{}
	}
	if _, ok := q.m[w.id]; !ok {
		q.order = append(q.order, w.id)
	}
	q.m[w.id] = append(q.m[w.id], w)
	if q.leading {
		return false
	}
	q.leading = true
	return true
}

// take empties the queue: one batch of writes per sheet.
func (q *writeQueue) take() [][]*pendingWrite {
	q.mu.Lock()
	defer q.mu.Unlock()
	group := make([][]*pendingWrite, len(q.order))
	for i, id := range q.order {
		group[i] = q.m[id]
	}
	q.order, q.m = nil, nil
	return group
}

// handOff ends a leader's round: the first write queued meanwhile leads the next, or no one
// leads until a write arrives.
func (q *writeQueue) handOff() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.order) == 0 {
		q.leading = false
		return
	}
	close(q.m[q.order[0]][0].lead)
}

// landing is what one sheet's batch stored: the assessment as derived, and the changes (with
// their writes) whose records are still to be written.
type landing struct {
	a       *Assessment
	changes []*Change
	writes  []*pendingWrite
}

// applyGroup applies each sheet's batch under the write discipline, then writes the records of
// all that landed together, and settles every write, whatever happens (a panic in one mutate
// fails that write alone).
func (sv *Service) applyGroup(ctx context.Context, group [][]*pendingWrite) {
	defer func() {
		for _, batch := range group {
			for _, w := range batch {
				close(w.done)
			}
		}
	}()
	// The writes are the group's, not the caller's: one giving up does not fail the others.
	ctx = context.WithoutCancel(ctx)
	var landings []landing
	if len(group) > 1 && sv.Store.cached != nil && sv.Store.cachedA != nil {
		landings = sv.applyTogether(ctx, group) // several sheets: stored in bulk (embedded)
	} else {
		for _, batch := range group {
			if l, ok := sv.applyBatch(ctx, batch); ok {
				landings = append(landings, l)
			}
		}
	}
	if err := sv.landed(ctx, landings); err != nil {
		for _, l := range landings {
			for _, w := range l.writes {
				w.err, w.out = err, nil
			}
		}
	}
}

// applyBatch applies the writes of one sheet, retrying when another writer's sheet landed in
// between, and reports what landed; every write that did not land has its error set.
func (sv *Service) applyBatch(ctx context.Context, batch []*pendingWrite) (landing, bool) {
	for range maxAttempts {
		l, ok, err := sv.tryBatch(ctx, batch)
		if err != nil {
			failBatch(batch, err)
			return landing{}, false
		}
		if ok {
			return l, len(l.changes) > 0
		}
	}
	failBatch(batch, apperr.New(apperr.Conflict, "Lembar kerja sedang banyak diubah. Coba simpan lagi."))
	return landing{}, false
}

// tryBatch reads the sheet, applies every write of batch in turn and stores the sheet and its
// assessment. It reports false when another writer's sheet landed in between (read, judge and
// change again).
func (sv *Service) tryBatch(ctx context.Context, batch []*pendingWrite) (landing, bool, error) {
	st, err := sv.stage(ctx, batch)
	if err != nil || st == nil { // an error, or every write refused: nothing to store
		return landing{}, err == nil, err
	}
	landed, err := sv.Store.replaceSheet(ctx, st.l.a.ID, st.rev, st.sh)
	if err != nil {
		return landing{}, false, fmt.Errorf("saving sheet %s: %w", st.l.a.ID, err)
	}
	if !landed {
		return landing{}, false, nil
	}
	set, err := sv.derived(st)
	if err == nil {
		err = sv.Store.storeDerived(ctx, st.l.a, set)
	}
	if err != nil {
		return landing{}, false, fmt.Errorf("saving the score of %s: %w", st.l.a.ID, err)
	}
	if err := runAfter(ctx, st.l.changes); err != nil {
		return landing{}, false, err
	}
	return st.l, true, nil
}

// staged is one sheet's batch applied in memory: the sheet and its assessment as the batch's
// writes left them, not stored yet.
type staged struct {
	l      landing
	sh     *Sheet
	inst   *instrument.Instrument
	prev   scoring.Previous
	rev    int64 // the sheet's rev as read (sh.Rev is the next one)
	before Flow  // the flow as read
	now    time.Time
}

// stage reads the sheet of batch and applies its writes in turn, each judging what the ones
// before it left (a refused one is rolled back alone, its error set). It returns nil when
// every write was refused.
func (sv *Service) stage(ctx context.Context, batch []*pendingWrite) (*staged, error) {
	id, prev := batch[0].id, batch[0].prev
	a, err := sv.Store.ByID(ctx, id)
	if err != nil {
		return nil, err
	}
	inst, ok := sv.Catalog.Get(a.Instrument)
	if !ok {
		return nil, apperr.New(apperr.NotFound, "Instrumen %q tidak dikenal.", a.Instrument)
	}
	sh, err := sv.Store.Sheet(ctx, id)
	if err != nil {
		return nil, err
	}
	if sh.Flow == nil { // a sheet written before sheets carried the flow
		f := a.Flow
		sh.Flow = &f
	}
	a.Flow = *sh.Flow // what the write judges; the copy on the assessment may lag
	st := &staged{l: landing{a: a}, sh: sh, inst: inst, prev: prev, rev: sh.Rev, before: *sh.Flow}
	for _, w := range batch {
		var undo func() error
		if len(batch) > 1 {
			if undo, err = snapshot(a, sh); err != nil {
				return nil, err
			}
		}
		c := &Change{A: a, Sheet: sh, Inst: inst, Now: sv.Now().UTC()} // each write at its own time, in turn
		st.now = c.Now
		w.out, w.err = nil, mutateSafely(db.WithLockOf(w.ctx, ctx), id, w.mutate, c)
		if w.err != nil {
			if undo != nil {
				if err := undo(); err != nil {
					return nil, err
				}
			}
			continue
		}
		a.Flow = *sh.Flow // the next write in the batch judges what this one left
		w.out = c
		st.l.changes, st.l.writes = append(st.l.changes, c), append(st.l.writes, w)
	}
	if len(st.l.changes) == 0 {
		return nil, nil
	}
	sh.Rev++
	return st, nil
}

// runAfter runs the after-hooks of changes whose sheet has landed, in order.
func runAfter(ctx context.Context, changes []*Change) error {
	for _, c := range changes {
		for _, fn := range c.after {
			if err := fn(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// mutateSafely runs mutate, turning a panic into an error of this write alone.
func mutateSafely(ctx context.Context, id string, mutate func(ctx context.Context, c *Change) error, c *Change) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("a write of %s panicked: %v\n%s", id, p, debug.Stack())
		}
	}()
	return mutate(ctx, c)
}

// snapshot keeps a copy of a and sh; the function it returns puts them back in place (the
// same pointers, which the batch's other changes hold).
func snapshot(a *Assessment, sh *Sheet) (func() error, error) {
	ra, err := bson.Marshal(a)
	if err != nil {
		return nil, err
	}
	rs, err := bson.Marshal(sh)
	if err != nil {
		return nil, err
	}
	return func() error {
		*a, *sh = Assessment{}, Sheet{}
		if err := bson.Unmarshal(ra, a); err != nil {
			return err
		}
		return bson.Unmarshal(rs, sh)
	}, nil
}

// landed writes the records of what landed, together: the history versions (idempotent per
// indicator and rev), the board lines (conditioned on the revs, so a slower recorder on
// MongoDB never puts an older line back) and the audit events. Still under the write lock: the
// embedded engine (SQLite) has one writer, and writes from outside the lock would meet the
// next holder's there and wait in its busy handler, sleeping milliseconds at a time (measured:
// the 20-writer p50 rose by a third). A crash before this ends loses at most these records,
// which a rescore rebuilds but for the audit.
func (sv *Service) landed(ctx context.Context, landings []landing) error {
	var versions []historyDoc
	var lines []*Assessment
	var events []audit.Event
	for _, l := range landings {
		lines = append(lines, l.a)
		for _, c := range l.changes {
			for _, v := range c.versions {
				versions = append(versions, historyDoc{ID: historyID(l.a.ID, v.Indicator, v.Rev), Assessment: l.a.ID, Version: v})
			}
			events = append(events, c.events...)
		}
	}
	if err := sv.Store.appendVersions(ctx, versions); err != nil {
		return err
	}
	if err := sv.Store.recordedLines(ctx, lines); err != nil {
		return err
	}
	if sv.Audit == nil {
		return nil
	}
	return sv.Audit.AppendAll(ctx, events)
}

// derived computes, on the staged assessment, its copy of the flow and its snapshots from the
// sheet that just landed, and returns the fields a conditional update sets (MongoDB).
func (sv *Service) derived(st *staged) (bson.D, error) {
	a, sh := st.l.a, st.sh
	a.Flow = *sh.Flow
	if err := Rescore(st.inst, a, sh, st.prev); err != nil {
		return nil, err
	}
	if st.before != *sh.Flow {
		a.Rev++
	}
	a.SheetRev, a.UpdatedAt = sh.Rev, st.now
	return bson.D{
		{Key: "status", Value: a.Status}, {Key: "submitted_at", Value: a.SubmittedAt}, {Key: "reviewed_at", Value: a.ReviewedAt},
		{Key: "returned_at", Value: a.ReturnedAt}, {Key: "returns", Value: a.Returns}, {Key: "finalized_at", Value: a.FinalizedAt},
		{Key: "finalized_by", Value: a.FinalizedBy}, {Key: "reopened_at", Value: a.ReopenedAt}, {Key: "reopen_reason", Value: a.ReopenReason},
		{Key: "rev", Value: a.Rev},
		{Key: "self", Value: a.Self}, {Key: "final", Value: a.Final}, {Key: "progress", Value: a.Progress}, {Key: "updated_at", Value: st.now},
	}, nil
}
