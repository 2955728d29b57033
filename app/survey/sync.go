package survey

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/num"
)

// The survey's result flows into the unit's assessment of that year: IKM's nine NRR into
// IKM.U1…U9 of ikm-2017, F-03's value into F03.a of pekppp-2022 (Form.Targets). Each is
// written as the unit's answer (Response.Survey set, By "survei"): the sheet shows it
// read-only with a link to the survey, typed saves and uploads on it are refused (409),
// history keeps every value it took and the audit log every change (action survey.apply,
// actor "survei").
//
// Which statuses let the survey write: every one but final. The survey is data from
// citizens, not the unit's claim, so neither the unit's submission (diajukan, direviu) nor
// its deadline freezes it, and a returned sheet takes it on every item; the evaluators judge
// the survey's items as any other (a later change shows as a difference between the unit's
// answer and their review). A final sheet is locked: the survey keeps its responses, the
// survey page says its latest result has not reached the sheet, and the next sync after an
// admin reopens the sheet brings it.

// errUnchanged aborts a sync's write that would change nothing.
var errUnchanged = errors.New("survey result unchanged on the sheet")

// Sync brings survey id's current result to its assessment's sheet through
// assessment.Service.Apply. The result is computed from the responses before the write, so
// the process-wide writer is held only for the write itself; inside the write the survey is
// read again, and if a response or decision arrived meanwhile the result is computed again
// (the third time inside the write), so two syncs of one survey land in order and the later
// one always reflects the later responses. It records what it applied (Survey.Applied), or why
// it could not (no assessment, a final sheet).
func (s *Service) Sync(ctx context.Context, id string) error {
	sv, err := s.Store.ByID(ctx, id)
	if err != nil {
		return err
	}
	applied := Applied{Seq: sv.Seq, Rev: sv.Rev, At: s.now()}
	for attempt := 1; ; attempt++ {
		ahead, err := s.compute(ctx, id)
		if err != nil {
			return err
		}
		if s.afterCompute != nil {
			s.afterCompute()
		}
		_, err = s.Assessments.Apply(ctx, assessmentOf(sv).ID, func(ctx context.Context, c *assessment.Change) error {
			cur, err := s.Store.ByID(ctx, id)
			if err != nil {
				return err
			}
			res := ahead.res
			if cur.Seq != ahead.seq || cur.Rev != ahead.rev {
				if attempt < 3 {
					return errStale
				}
				if ahead, err = s.compute(ctx, id); err != nil {
					return err
				}
				res = ahead.res
			}
			applied = Applied{Seq: ahead.seq, Rev: ahead.rev, At: c.Now}
			return s.write(c, id, res, &applied)
		})
		if errors.Is(err, errStale) {
			continue
		}
		switch {
		case err == nil, errors.Is(err, errUnchanged):
		case apperr.Is(err, apperr.NotFound):
			applied.Pending = fmt.Sprintf("Penilaian %s tahun %d untuk unit ini belum dibuka; hasil survei masuk setelah administrator membuka tahunnya.", sv.Kind.Short(), sv.Period)
		default:
			return fmt.Errorf("bringing survey %s to its sheet: %w", id, err)
		}
		return s.Store.SetApplied(ctx, id, applied)
	}
}

// errStale aborts a sync's write whose result a newer response has overtaken.
var errStale = errors.New("survey result overtaken by a newer response")

// computed is a survey's result with the responses and decisions it reflects.
type computed struct {
	res      *Results
	seq, rev int64
}

// compute reads a consistent snapshot of the survey (Store.Snapshot: no response counted but
// not yet stored) and computes its result. Without that, a result computed between a
// submission's counter and its push would carry the new count with one response fewer, and pass
// the check against the counter as current.
func (s *Service) compute(ctx context.Context, id string) (computed, error) {
	sv, rs, err := s.Store.Snapshot(ctx, id)
	if err != nil {
		return computed{}, err
	}
	return computed{res: Compute(sv, rs, s.rules()), seq: sv.Seq, rev: sv.Rev}, nil
}

// write sets the sheet's answers to res (see the file's comment), within the write c.
func (s *Service) write(c *assessment.Change, id string, res *Results, applied *Applied) error {
	if c.Status() == assessment.Final {
		applied.Pending = "Lembar kerja sudah final; hasil survei terbaru belum masuk. Administrator dapat membuka kembali lembar kerja."
		return errUnchanged
	}
	var changed []string
	for _, t := range FormOf(res.Kind).Targets {
		if _, ok := c.Inst.Indicator(t.Indicator); !ok {
			continue
		}
		var v *float64
		if x := res.Value(t.Question); x != nil {
			fv, _ := x.Float64() // the nearest float to the exact mean
			v = &fv
		}
		if a := c.Sheet.Answer(t.Indicator); a != nil && a.Self != nil && a.Self.Survey == id && sameValue(a.Self.Value, v) {
			continue
		}
		a := c.Answer(t.Indicator)
		a.Self = &assessment.Response{Value: v, By: assessment.BySurvey, Survey: id, At: c.Now}
		a.Rev++
		c.Keep(assessment.Version{Indicator: t.Indicator, Rev: a.Rev, Value: v, By: assessment.BySurvey, At: c.Now,
			Note: fmt.Sprintf("Hasil survei publik (%d responden)", res.N)})
		changed = append(changed, t.Indicator+" "+shownValue(v))
	}
	if len(changed) == 0 {
		return errUnchanged
	}
	c.Audit(assessment.BySurvey, audit.SurveyApply, "%s, %d responden: %s", id, res.N, strings.Join(changed, "; "))
	return nil
}

func sameValue(a, b *float64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func shownValue(v *float64) string {
	if v == nil {
		return "kosong"
	}
	return num.ID2(*v)
}

// SyncPending brings every survey whose responses or decisions changed since its last sync to
// its sheet: at start-up, after a stop that left scheduled syncs undone.
func (s *Service) SyncPending(ctx context.Context) error {
	ids, err := s.Store.pendingSync(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.Sync(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// syncer debounces syncs: one timer per survey.
type syncer struct {
	mu      sync.Mutex
	timers  map[string]*time.Timer
	stopped bool
}

// syncTimeout bounds one background sync.
const syncTimeout = time.Minute

// schedule brings survey id's result to its sheet: now (SyncDelay 0; a failure is logged, the
// response stays stored and the next sync or the start-up's SyncPending catches up), or once
// SyncDelay has passed, however many responses arrive meanwhile.
func (s *Service) schedule(id string) {
	run := func() {
		ctx, cancel := context.WithTimeout(context.Background(), syncTimeout)
		defer cancel()
		if err := s.Sync(ctx, id); err != nil {
			s.log().Warn("survey sync", "survey", id, "err", err)
		}
	}
	if s.SyncDelay <= 0 {
		run()
		return
	}
	s.sync.mu.Lock()
	defer s.sync.mu.Unlock()
	if s.sync.stopped || s.sync.timers[id] != nil {
		return
	}
	if s.sync.timers == nil {
		s.sync.timers = map[string]*time.Timer{}
	}
	s.sync.timers[id] = time.AfterFunc(s.SyncDelay, func() {
		s.sync.mu.Lock()
		delete(s.sync.timers, id)
		s.sync.mu.Unlock()
		run()
	})
}

// Stop cancels the scheduled syncs (SyncPending at the next start brings them) and schedules
// no more.
func (s *Service) Stop() {
	s.sync.mu.Lock()
	defer s.sync.mu.Unlock()
	s.sync.stopped = true
	for id, t := range s.sync.timers {
		t.Stop()
		delete(s.sync.timers, id)
	}
}

// CatchUp schedules a sync of sv when its sheet lags its responses (a sync that failed, or
// one lost to a stop); pages call it when they show a survey.
func (s *Service) CatchUp(sv *Survey) {
	if sv.Applied.Seq != sv.Seq || sv.Applied.Rev != sv.Rev {
		if s.SyncDelay > 0 {
			s.schedule(sv.ID)
		}
	}
}
