// Package assessment holds one unit's evaluation for one instrument and year: its workflow
// status, its answers (the sheet) and the score snapshots derived from them.
package assessment

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapor-rb/raporrb/app/evidence"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/scoring"
)

// Status is a step of the workflow in DESIGN.md.
type Status string

// Workflow states.
const (
	Draft     Status = "draf"
	Submitted Status = "diajukan"
	InReview  Status = "direviu"
	Returned  Status = "perlu_perbaikan"
	Final     Status = "final"
)

// Label is the status as the UI shows it.
func (s Status) Label() string {
	switch s {
	case Draft:
		return "Draf"
	case Submitted:
		return "Diajukan"
	case InReview:
		return "Direviu"
	case Returned:
		return "Perlu perbaikan"
	case Final:
		return "Final"
	}
	return string(s)
}

// NodeScore is one area's score.
type NodeScore struct {
	Code  string
	Score float64
}

// Nodes are the area scores of a snapshot, in the sheet's order. They are stored as one
// compact string ("P=41.2;P.MP=5.1;…") rather than a map or a list of documents: area codes
// contain dots, which cannot be field names in update paths, and the embedded engine decodes
// every value of every document it scans (measured: 150 documents with 80 node sub-documents
// took 670 ms to read, with the same nodes as one string 44 ms). Rankings scan these documents.
type Nodes []NodeScore

// MarshalBSONValue writes the nodes as one string.
func (n Nodes) MarshalBSONValue() (byte, []byte, error) {
	var b strings.Builder
	for i, x := range n {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(x.Code)
		b.WriteByte('=')
		b.WriteString(strconv.FormatFloat(x.Score, 'f', -1, 64))
	}
	t, data, err := bson.MarshalValue(b.String())
	return byte(t), data, err
}

// UnmarshalBSONValue reads the string written by MarshalBSONValue.
func (n *Nodes) UnmarshalBSONValue(typ byte, data []byte) error {
	var s string
	if err := bson.UnmarshalValue(bson.Type(typ), data, &s); err != nil {
		return fmt.Errorf("snapshot nodes: %w", err)
	}
	*n = (*n)[:0]
	if s == "" {
		return nil
	}
	for _, part := range strings.Split(s, ";") {
		code, num, ok := strings.Cut(part, "=")
		f, err := strconv.ParseFloat(num, 64)
		if !ok || err != nil {
			return fmt.Errorf("snapshot nodes: bad entry %q", part)
		}
		*n = append(*n, NodeScore{Code: code, Score: f})
	}
	return nil
}

// Snapshot is a derived, recomputable score of a sheet: what rankings read.
type Snapshot struct {
	Total      float64         `bson:"total"`
	Grade      string          `bson:"grade,omitempty"`
	Predicates map[string]bool `bson:"predicates"`
	Nodes      Nodes           `bson:"nodes"`
	Missing    int             `bson:"missing"`
}

// MarshalJSON writes the API shape of DESIGN.md: nodes as an object keyed by code.
func (s Snapshot) MarshalJSON() ([]byte, error) {
	nodes := make(map[string]float64, len(s.Nodes))
	for _, n := range s.Nodes {
		nodes[n.Code] = n.Score
	}
	var grade *string
	if s.Grade != "" {
		grade = &s.Grade
	}
	preds := s.Predicates
	if preds == nil {
		preds = map[string]bool{}
	}
	return json.Marshal(struct {
		Total      float64            `json:"total"`
		Grade      *string            `json:"grade"`
		Predicates map[string]bool    `json:"predicates"`
		Nodes      map[string]float64 `json:"nodes"`
		Missing    int                `json:"missing"`
	}{s.Total, grade, preds, nodes, s.Missing})
}

// Node returns the score of one area.
func (s Snapshot) Node(code string) float64 {
	for _, n := range s.Nodes {
		if n.Code == code {
			return n.Score
		}
	}
	return 0
}

// SnapshotOf turns a scoring result into the stored snapshot, nodes in the sheet's order.
func SnapshotOf(inst *instrument.Instrument, r scoring.Result) Snapshot {
	s := Snapshot{Total: r.Total, Predicates: r.Predicates, Missing: len(r.Missing)}
	if r.Grade != nil {
		s.Grade = *r.Grade
	}
	inst.Walk(func(a *instrument.Area, _ int) {
		s.Nodes = append(s.Nodes, NodeScore{Code: a.Code, Score: r.Nodes[a.Code]})
	})
	return s
}

// Progress counts a sheet's indicators by state, for the home list and the dashboard.
type Progress struct {
	Answered  int `bson:"answered" json:"answered"`
	Evidenced int `bson:"evidenced" json:"evidenced"`
	Reviewed  int `bson:"reviewed" json:"reviewed"`
	Returned  int `bson:"returned" json:"returned"`
	Total     int `bson:"total" json:"total"`
}

// Percent is the share of answered indicators, 0–100.
func (p Progress) Percent() int {
	if p.Total == 0 {
		return 0
	}
	return p.Answered * 100 / p.Total
}

// Assessment is the small document rankings read: status, snapshots, progress.
type Assessment struct {
	ID         string `bson:"_id" json:"id"`
	Period     int    `bson:"period" json:"period"`
	Instrument string `bson:"instrument" json:"instrument"`
	Unit       string `bson:"unit" json:"unit"`
	Flow       `bson:",inline"`
	Rev        int64      `bson:"rev" json:"rev"`
	Extension  *Extension `bson:"extension,omitempty" json:"extension,omitempty"` // the admin's, per unit
	Self       Snapshot   `bson:"self" json:"self"`
	Final      *Snapshot  `bson:"final,omitempty" json:"final"`
	Progress   Progress   `bson:"progress" json:"progress"`
	// SheetRev is the sheet revision the snapshots were computed from.
	SheetRev  int64     `bson:"sheet_rev" json:"sheet_rev"`
	UpdatedAt time.Time `bson:"updated_at" json:"updated_at"`
}

// ID builds the deterministic id "2026/zi-2021/sukamaju" shared by an assessment, its sheet
// and its history.
func ID(year int, instrumentID, unit string) string {
	return fmt.Sprintf("%d/%s/%s", year, instrumentID, unit)
}

// ParseID splits an assessment id into its parts.
func ParseID(id string) (year int, instrumentID, unit string, ok bool) {
	parts := strings.Split(id, "/")
	if len(parts) != 3 {
		return 0, "", "", false
	}
	y, err := strconv.Atoi(parts[0])
	if err != nil {
		return 0, "", "", false
	}
	return y, parts[1], parts[2], true
}

// Response is the unit's own answer to one indicator.
type Response struct {
	Option string    `bson:"option,omitempty" json:"option,omitempty"`
	Value  *float64  `bson:"value,omitempty" json:"value,omitempty"`
	Note   string    `bson:"note,omitempty" json:"note,omitempty"`
	By     string    `bson:"by" json:"by"`
	At     time.Time `bson:"at" json:"at"`
	// Survey is the public survey the answer comes from ("2026/ikm/sukamaju", app/survey),
	// empty for an answer the unit gave: a survey's answer is read-only on the sheet (see
	// FromSurvey) and changes only when the survey's result does.
	Survey string `bson:"survey,omitempty" json:"survey,omitempty"`
}

// BySurvey is the author of an answer a public survey wrote (Response.By, history, audit).
const BySurvey = "survei"

// FromSurvey reports whether the answer is a public survey's, not the unit's own.
func (a Answer) FromSurvey() bool { return a.Self != nil && a.Self.Survey != "" }

// Verdict is the evaluator's decision on one indicator.
type Verdict string

// Verdicts.
const (
	VerdictOK       Verdict = "ok"
	VerdictReturned Verdict = "returned"
)

// Review is the evaluator's answer, comment and verdict on one indicator.
type Review struct {
	Option  string    `bson:"option,omitempty" json:"option,omitempty"`
	Value   *float64  `bson:"value,omitempty" json:"value,omitempty"`
	Comment string    `bson:"comment,omitempty" json:"comment,omitempty"`
	Verdict Verdict   `bson:"verdict,omitempty" json:"verdict,omitempty"`
	By      string    `bson:"by" json:"by"`
	At      time.Time `bson:"at" json:"at"`
}

// Evidence is a file (by its SHA-256) or a link proving an answer.
type Evidence struct {
	ID   string    `bson:"id" json:"id"`
	Kind string    `bson:"kind" json:"kind"` // file | link
	Name string    `bson:"name" json:"name"`
	URL  string    `bson:"url,omitempty" json:"url,omitempty"`
	Size int64     `bson:"size,omitempty" json:"size,omitempty"`
	Type string    `bson:"type,omitempty" json:"type,omitempty"`
	By   string    `bson:"by" json:"by"`
	At   time.Time `bson:"at" json:"at"`
}

// TypeName is the evidence's file type as a person reads it ("PDF", "dokumen Word").
func (e Evidence) TypeName() string { return evidence.TypeName(e.Type) }

// Answer is everything about one indicator of a sheet. Rev guards concurrent edits of the
// unit's answer, ReviewRev those of the evaluators' review.
type Answer struct {
	Indicator string     `bson:"indicator" json:"indicator"`
	Self      *Response  `bson:"self,omitempty" json:"self,omitempty"`
	Review    *Review    `bson:"review,omitempty" json:"review,omitempty"`
	Evidence  []Evidence `bson:"evidence,omitempty" json:"evidence"`
	Rev       int64      `bson:"rev" json:"rev"`
	ReviewRev int64      `bson:"review_rev,omitempty" json:"review_rev"`
	// AtReturn is the unit's answer and evidence when the evaluator returned this item, so that
	// after the resubmission the evaluator sees what changed.
	AtReturn *AtReturn `bson:"at_return,omitempty" json:"at_return,omitempty"`
}

// AtReturn is the state of a returned item at the moment it was returned.
type AtReturn struct {
	Self     *Response  `bson:"self,omitempty" json:"self,omitempty"`
	Evidence []Evidence `bson:"evidence,omitempty" json:"evidence"`
	Comment  string     `bson:"comment" json:"comment"`
	At       time.Time  `bson:"at" json:"at"`
	Round    int        `bson:"round" json:"round"`
}

// Changed reports whether the unit changed the item since it was returned: its answer, its
// note, or its evidence.
func (a Answer) Changed() bool {
	if a.AtReturn == nil {
		return false
	}
	was, is := a.AtReturn.Self, a.Self
	if (was == nil) != (is == nil) {
		return true
	}
	if was != nil && (was.Option != is.Option || was.Note != is.Note || !sameNumber(was.Value, is.Value)) {
		return true
	}
	if len(a.AtReturn.Evidence) != len(a.Evidence) {
		return true
	}
	for i := range a.Evidence {
		if a.Evidence[i].ID != a.AtReturn.Evidence[i].ID {
			return true
		}
	}
	return false
}

func sameNumber(a, b *float64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// Finding is what the evaluator found in one area (kondisi) and what must improve
// (rekomendasi): the body of the evaluation report (LHE).
type Finding struct {
	Area        string    `bson:"area" json:"area"`
	Kondisi     string    `bson:"kondisi" json:"kondisi"`
	Rekomendasi string    `bson:"rekomendasi" json:"rekomendasi"`
	Rev         int64     `bson:"rev" json:"rev"`
	By          string    `bson:"by" json:"by"`
	At          time.Time `bson:"at" json:"at"`
}

// Sheet holds all answers of one assessment in one document (≈50 KB), written whole, with the
// workflow state (see Flow) and the evaluators' findings per area.
type Sheet struct {
	ID       string    `bson:"_id" json:"id"`
	Rev      int64     `bson:"rev" json:"rev"`
	Flow     *Flow     `bson:"flow,omitempty" json:"-"`
	Answers  []Answer  `bson:"answers" json:"answers"`
	Findings []Finding `bson:"findings,omitempty" json:"findings"`
}

// Finding returns the finding of an area, or nil.
func (s *Sheet) Finding(area string) *Finding {
	for i := range s.Findings {
		if s.Findings[i].Area == area {
			return &s.Findings[i]
		}
	}
	return nil
}

// Answer returns the answer to an indicator, or nil.
func (s *Sheet) Answer(indicator string) *Answer {
	for i := range s.Answers {
		if s.Answers[i].Indicator == indicator {
			return &s.Answers[i]
		}
	}
	return nil
}

// answered reports whether an answer holds an option or a number.
func answered(option string, value *float64) bool { return option != "" || value != nil }

// answersOf collects, in the scoring engine's form, the answer pick finds on each indicator.
func (s *Sheet) answersOf(pick func(Answer) (option string, value *float64)) scoring.Answers {
	out := scoring.Answers{}
	for _, a := range s.Answers {
		if option, value := pick(a); option != "" {
			out[a.Indicator] = scoring.Answer{Option: option}
		} else if value != nil {
			out[a.Indicator] = scoring.Answer{Number: value}
		}
	}
	return out
}

// SelfAnswers returns the unit's answers in the scoring engine's form.
func (s *Sheet) SelfAnswers() scoring.Answers {
	return s.answersOf(func(a Answer) (string, *float64) {
		if a.Self == nil {
			return "", nil
		}
		return a.Self.Option, a.Self.Value
	})
}

// ReviewAnswers returns the evaluator's answers in the scoring engine's form.
func (s *Sheet) ReviewAnswers() scoring.Answers {
	return s.answersOf(func(a Answer) (string, *float64) {
		if a.Review == nil {
			return "", nil
		}
		return a.Review.Option, a.Review.Value
	})
}

// ProgressOf counts a sheet's indicators against the instrument.
func ProgressOf(inst *instrument.Instrument, s *Sheet) Progress {
	p := Progress{Total: len(inst.Indicators())}
	for _, a := range s.Answers {
		if _, ok := inst.Indicator(a.Indicator); !ok {
			continue
		}
		if a.Self != nil && answered(a.Self.Option, a.Self.Value) {
			p.Answered++
		}
		if len(a.Evidence) > 0 || a.FromSurvey() { // a survey's answer: the survey is its evidence
			p.Evidenced++
		}
		if a.Review != nil {
			p.Reviewed++
			if a.Review.Verdict == VerdictReturned {
				p.Returned++
			}
		}
	}
	return p
}

// Rescore recomputes the derived parts of a (its snapshots and progress) from its sheet.
// prev holds the unit's earlier final predicates (for WBBM's requires_previous), or nil.
func Rescore(inst *instrument.Instrument, a *Assessment, s *Sheet, prev scoring.Previous) error {
	self, err := scoring.Score(inst, s.SelfAnswers(), prev)
	if err != nil {
		return fmt.Errorf("self score of %s: %w", a.ID, err)
	}
	a.Self = SnapshotOf(inst, self)
	a.Progress = ProgressOf(inst, s)
	// Only a final sheet has a final score: a partly reviewed one would count every item not
	// yet reviewed as 0. The review page computes the evaluators' running score itself.
	if a.Status == Final {
		final, err := scoring.Score(inst, s.ReviewAnswers(), prev)
		if err != nil {
			return fmt.Errorf("final score of %s: %w", a.ID, err)
		}
		snap := SnapshotOf(inst, final)
		a.Final = &snap
	} else {
		a.Final = nil
	}
	return nil
}
