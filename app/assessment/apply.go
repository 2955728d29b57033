package assessment

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/instrument"
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
// never goes back in time; then the history versions, the after-hooks, the ranking board line
// and the audit events of what landed. Errors from mutate abort the write unchanged.
func (sv *Service) Apply(ctx context.Context, id string, mutate func(ctx context.Context, c *Change) error) (*Change, error) {
	var out *Change
	err := sv.Store.db.Write(ctx, func(ctx context.Context) error {
		for range maxAttempts {
			a, err := sv.Store.ByID(ctx, id)
			if err != nil {
				return err
			}
			inst, ok := sv.Catalog.Get(a.Instrument)
			if !ok {
				return apperr.New(apperr.NotFound, "Instrumen %q tidak dikenal.", a.Instrument)
			}
			sh, err := sv.Store.Sheet(ctx, id)
			if err != nil {
				return err
			}
			if sh.Flow == nil { // a sheet written before sheets carried the flow
				f := a.Flow
				sh.Flow = &f
			}
			a.Flow = *sh.Flow // what the write judges; the copy on the assessment may lag
			before := *sh.Flow
			c := &Change{A: a, Sheet: sh, Inst: inst, Now: sv.Now().UTC()}
			if err := mutate(ctx, c); err != nil {
				return err
			}
			rev := sh.Rev
			sh.Rev++
			landed, err := sv.Store.replaceSheet(ctx, id, rev, sh)
			if err != nil {
				return fmt.Errorf("saving sheet %s: %w", id, err)
			}
			if !landed {
				continue // another write landed in between: judge again on what it left
			}
			if err := sv.derive(ctx, c, before != *sh.Flow); err != nil {
				return err
			}
			for _, v := range c.versions {
				if err := sv.Store.appendHistory(ctx, id, v); err != nil {
					return err
				}
			}
			for _, fn := range c.after {
				if err := fn(ctx); err != nil {
					return err
				}
			}
			if err := sv.Store.recorded(ctx, id); err != nil {
				return err
			}
			if sv.Audit != nil {
				for _, e := range c.events {
					if err := sv.Audit.Append(ctx, e); err != nil {
						return err
					}
				}
			}
			out = c
			return nil
		}
		return apperr.New(apperr.Conflict, "Lembar kerja sedang banyak diubah. Coba simpan lagi.")
	})
	return out, err
}

// derive stores the assessment's copy of the flow and its snapshots, computed from the sheet
// that just landed.
func (sv *Service) derive(ctx context.Context, c *Change, flowChanged bool) error {
	a, sh := c.A, c.Sheet
	a.Flow = *sh.Flow
	prev, err := sv.Store.Previous(ctx, a)
	if err != nil {
		return err
	}
	if err := Rescore(c.Inst, a, sh, prev); err != nil {
		return err
	}
	if flowChanged {
		a.Rev++
	}
	a.SheetRev, a.UpdatedAt = sh.Rev, c.Now
	set := bson.D{
		{Key: "status", Value: a.Status}, {Key: "submitted_at", Value: a.SubmittedAt}, {Key: "reviewed_at", Value: a.ReviewedAt},
		{Key: "returned_at", Value: a.ReturnedAt}, {Key: "returns", Value: a.Returns}, {Key: "finalized_at", Value: a.FinalizedAt},
		{Key: "finalized_by", Value: a.FinalizedBy}, {Key: "reopened_at", Value: a.ReopenedAt}, {Key: "reopen_reason", Value: a.ReopenReason},
		{Key: "rev", Value: a.Rev},
		{Key: "self", Value: a.Self}, {Key: "final", Value: a.Final}, {Key: "progress", Value: a.Progress}, {Key: "updated_at", Value: c.Now},
	}
	if err := sv.Store.db.SetIfNewer(ctx, "assessments", a.ID, "sheet_rev", sh.Rev, set); err != nil {
		return fmt.Errorf("saving the score of %s: %w", a.ID, err)
	}
	return nil
}
