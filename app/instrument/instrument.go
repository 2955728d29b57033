// Package instrument holds the evaluation instruments (ZI, SAKIP, PEKPPP, IKM, local checklists)
// as data: a tree of weighted areas with indicators, answer scales, grade bands and predicates,
// loaded from YAML sheets and validated once so the scoring code can trust them.
package instrument

import (
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/rapor-rb/raporrb/app/num"
)

// TotalNode is the node name a predicate rule uses for the instrument's total score.
const TotalNode = "total"

// Scale kinds.
const (
	KindChoice  = "choice"  // one of a list of options, each with a value in [0,1]
	KindPercent = "percent" // 0..100, value = x/100
	KindNumber  = "number"  // min..max, value = x/max
)

// SourceSurvey marks a scale whose answers are copied from an external survey recap (ZI's IPAK
// and IPKP, IKM's NRR) rather than decided by the unit, so no planner may suggest raising them.
const SourceSurvey = "survey"

// Instrument is one evaluation sheet. It is built by Parse and must be treated as read-only:
// the indexes used by the lookup methods are computed from the exported fields once.
type Instrument struct {
	ID    string `yaml:"id" json:"id"`
	Title string `yaml:"title" json:"title"`
	// Short is the name people use, at most 31 characters (an Excel sheet name): "Zona
	// Integritas", "SAKIP". Optional; ShortName falls back to the title, cut.
	Short      string           `yaml:"short,omitempty" json:"short,omitempty"`
	Regulation string           `yaml:"regulation" json:"regulation"`
	ScaleMax   float64          `yaml:"scale_max" json:"scale_max"`
	Scales     map[string]Scale `yaml:"scales" json:"scales"`
	Areas      []*Area          `yaml:"areas" json:"areas"`
	Grades     []Grade          `yaml:"grades" json:"grades"`
	Predicates []Predicate      `yaml:"predicates" json:"predicates"`
	// Eligibility is the checklist before a unit may be proposed for a predicate (Rapor RB
	// extension, see eligibility.go); nil for most instruments.
	Eligibility *Eligibility `yaml:"eligibility,omitempty" json:"eligibility,omitempty"`

	points     map[string]*big.Rat // exact points of every area by code (PointsExact), read-only
	nodes      map[string]*Area    // every area by code
	parents    map[string]*Area    // parent of every area and indicator; nil for a root area
	indicators []Indicator         // sheet order
	indIndex   map[string]int      // indicator code → position in indicators
	leafOf     map[string]*Area    // indicator code → the leaf area holding it
}

// Scale is an answer scale referenced by indicators.
type Scale struct {
	Kind    string   `yaml:"kind" json:"kind"`
	Options []Option `yaml:"options,omitempty" json:"options,omitempty"`
	Min     *float64 `yaml:"min,omitempty" json:"min,omitempty"`
	Max     *float64 `yaml:"max,omitempty" json:"max,omitempty"`
	// Source is where the answers come from: "" when the unit answers them itself, or
	// SourceSurvey when they are taken from a survey recap.
	Source string `yaml:"source,omitempty" json:"source,omitempty"`
}

// FromSurvey reports whether the scale's answers come from an external survey, which the unit
// cannot improve by changing its own answers.
func (s Scale) FromSurvey() bool { return s.Source == SourceSurvey }

// Option is one choice of a choice scale.
type Option struct {
	Key   string  `yaml:"key" json:"key"`
	Value float64 `yaml:"value" json:"value"`
	// Text is the criterion of this answer when it is the same for every indicator on the scale
	// (SAKIP's grading table per kind of sub-komponen); an indicator's own Criteria win.
	Text string `yaml:"text,omitempty" json:"text,omitempty"`

	exact *big.Rat // Value as written, set by Parse; read-only
}

// Exact is the option's value as written (0.67 is 67/100), exactly. The value may be shared:
// callers must not modify it.
func (o Option) Exact() *big.Rat {
	if o.exact != nil {
		return o.exact
	}
	return num.Exact(o.Value)
}

// Area is a node of the instrument's tree: either a parent of Areas or a leaf with Indicators.
type Area struct {
	Code       string      `yaml:"code" json:"code"`
	Title      string      `yaml:"title" json:"title"`
	Weight     float64     `yaml:"weight" json:"weight"` // percent of scale_max
	Areas      []*Area     `yaml:"areas,omitempty" json:"areas,omitempty"`
	Indicators []Indicator `yaml:"indicators,omitempty" json:"indicators,omitempty"`
}

// IsLeaf reports whether the area holds indicators rather than sub-areas.
func (a *Area) IsLeaf() bool { return len(a.Areas) == 0 }

// Indicator is one question of the sheet.
type Indicator struct {
	Code     string `yaml:"code" json:"code"`
	Text     string `yaml:"text" json:"text"`
	Scale    string `yaml:"scale" json:"scale"`
	Evidence string `yaml:"evidence,omitempty" json:"evidence,omitempty"`
	// Criteria is what the LKE says each answer means, a short paraphrase: by option key for a
	// choice scale ("A": "…", "B": "…"), by whole value for a number scale with descriptors
	// (PEKPPP's "0" … "5"). Parse completes it from the scale's option texts, and requires one for
	// every option of a choice scale.
	Criteria map[string]string `yaml:"criteria,omitempty" json:"criteria,omitempty"`
}

// Criterion is the criterion of one answer key ("A", "Ya", "3"), or "" when the sheet has none.
func (ind Indicator) Criterion(key string) string { return ind.Criteria[key] }

// Choice is one answer of an indicator as a person reads it: its key, its value in [0, 1] and
// the criterion the LKE gives for it.
type Choice struct {
	Key   string  `json:"key"`
	Value float64 `json:"value"`
	Text  string  `json:"text"`
}

// Grade is a band of the total. Exactly one of Above (strict) and Min (inclusive) is set.
type Grade struct {
	Key   string `yaml:"key" json:"key"`
	Label string `yaml:"label" json:"label"`
	// Name is what a person reads when the key is a code (SIAP_CATATAN → "Siap dengan catatan");
	// empty when the key is itself the name (BB, A-).
	Name  string   `yaml:"name,omitempty" json:"name,omitempty"`
	Above *float64 `yaml:"above,omitempty" json:"above,omitempty"`
	Min   *float64 `yaml:"min,omitempty" json:"min,omitempty"`
}

// Display is the grade as a person reads it: Name, or the key.
func (g Grade) Display() string {
	if g.Name != "" {
		return g.Name
	}
	return g.Key
}

// Bound is the grade's threshold, whichever of Above and Min is set.
func (g Grade) Bound() float64 {
	if g.Above != nil {
		return *g.Above
	}
	if g.Min != nil {
		return *g.Min
	}
	return 0
}

// Admits reports whether a (rounded) score falls in this band or above it, comparing the exact
// decimal values (num.Cmp): a rounded 88.31 is above 88.3.
func (g Grade) Admits(score float64) bool {
	if g.Above != nil {
		return num.Cmp(score, *g.Above) > 0
	}
	return g.Min != nil && num.Cmp(score, *g.Min) >= 0
}

// Predicate is a named outcome (WBK, WBBM, ...) that holds when all its rules hold.
type Predicate struct {
	Key   string `yaml:"key" json:"key"`
	Label string `yaml:"label" json:"label"`
	// Name is what a person reads when the key is a code (TATAP_MUKA → "Tatap muka"); empty when
	// the key is itself the name people use (WBK, WBBM).
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
	// RequiresPrevious names a predicate of the same instrument that the unit's earlier final
	// result must have had (WBBM requires an earlier WBK).
	RequiresPrevious string `yaml:"requires_previous,omitempty" json:"requires_previous,omitempty"`
	Rules            []Rule `yaml:"rules" json:"rules"`
}

// Display is the predicate as a person reads it: Name, or the key.
func (p Predicate) Display() string {
	if p.Name != "" {
		return p.Name
	}
	return p.Key
}

// Rule is one condition of a predicate: either Node+Min (the node's score is at least Min) or
// EachChildOf+MinRatio (every child of the node scores at least MinRatio of its points).
type Rule struct {
	Node        string   `yaml:"node,omitempty" json:"node,omitempty"`
	Min         *float64 `yaml:"min,omitempty" json:"min,omitempty"`
	EachChildOf string   `yaml:"each_child_of,omitempty" json:"each_child_of,omitempty"`
	MinRatio    *float64 `yaml:"min_ratio,omitempty" json:"min_ratio,omitempty"`
}

// MaxShortName is the longest ShortName: Excel's limit on a sheet name, in UTF-16 code units.
const MaxShortName = 31

// ShortName is the instrument as a person names it in a table header, a tab or a sheet name:
// Short, or the title cut to MaxShortName characters at a word.
func (in *Instrument) ShortName() string {
	if in.Short != "" {
		return in.Short
	}
	return cutWords(in.Title, MaxShortName)
}

// GradeDisplay is the display name of a grade key, or the key itself when the instrument has no
// such grade ("" stays "").
func (in *Instrument) GradeDisplay(key string) string {
	for _, g := range in.Grades {
		if g.Key == key {
			return g.Display()
		}
	}
	return key
}

// NodeTitle is a node as a person reads it: the area's title, "Nilai total" for TotalNode, or the
// code itself when unknown.
func (in *Instrument) NodeTitle(code string) string {
	if code == TotalNode {
		return "Nilai total"
	}
	if a, ok := in.nodes[code]; ok {
		return a.Title
	}
	return code
}

// PredicateDisplay is the display name of a predicate key, or the key itself when unknown.
func (in *Instrument) PredicateDisplay(key string) string {
	if p, ok := in.Predicate(key); ok {
		return p.Display()
	}
	return key
}

// Choices lists the answers of an indicator with their criteria, in the scale's order: the
// options of a choice scale, or the described whole values of a number scale (PEKPPP's 0–5
// descriptors, lowest first). nil for an unknown code or a scale without criteria.
func (in *Instrument) Choices(code string) []Choice {
	ind, ok := in.Indicator(code)
	if !ok {
		return nil
	}
	s := in.Scales[ind.Scale]
	var out []Choice
	switch s.Kind {
	case KindChoice:
		for _, o := range s.Options {
			out = append(out, Choice{Key: o.Key, Value: o.Value, Text: ind.Criteria[o.Key]})
		}
	case KindNumber:
		for _, v := range wholeValues(s) {
			key := strconv.Itoa(v)
			if t, ok := ind.Criteria[key]; ok {
				out = append(out, Choice{Key: key, Value: float64(v) / *s.Max, Text: t})
			}
		}
	}
	return out
}

// wholeValues lists the whole numbers from a number scale's min to its max.
func wholeValues(s Scale) []int {
	if s.Min == nil || s.Max == nil {
		return nil
	}
	var out []int
	for v := int(math.Ceil(*s.Min)); float64(v) <= *s.Max; v++ {
		out = append(out, v)
	}
	return out
}

// cutWords shortens s to at most n UTF-16 code units, at a space when there is one.
func cutWords(s string, n int) string {
	units, last := 0, -1
	for i, r := range s {
		if r == ' ' {
			last = i
		}
		units += utf16.RuneLen(r)
		if units > n {
			if last > 0 {
				return strings.TrimRight(s[:last], " ,;:-")
			}
			return s[:i]
		}
	}
	return s
}

// Node returns the area with the given code.
func (in *Instrument) Node(code string) (*Area, bool) {
	a, ok := in.nodes[code]
	return a, ok
}

// Parent returns the area that holds the area or indicator with the given code, or nil for a
// root area or an unknown code.
func (in *Instrument) Parent(code string) *Area { return in.parents[code] }

// Children returns the sub-areas of the node, where TotalNode stands for the roots.
func (in *Instrument) Children(code string) []*Area {
	if code == TotalNode {
		return in.Areas
	}
	if a, ok := in.nodes[code]; ok {
		return a.Areas
	}
	return nil
}

// Indicators returns every indicator in sheet order (a copy).
func (in *Instrument) Indicators() []Indicator { return slices.Clone(in.indicators) }

// NumIndicators is the number of indicators of the sheet.
func (in *Instrument) NumIndicators() int { return len(in.indicators) }

// Indicator returns the indicator with the given code.
func (in *Instrument) Indicator(code string) (Indicator, bool) {
	i, ok := in.indIndex[code]
	if !ok {
		return Indicator{}, false
	}
	return in.indicators[i], true
}

// LeafOf returns the leaf area holding the indicator, or nil for an unknown code.
func (in *Instrument) LeafOf(indicatorCode string) *Area { return in.leafOf[indicatorCode] }

// ScaleOf returns the answer scale of the indicator, or the zero Scale for an unknown code.
func (in *Instrument) ScaleOf(indicatorCode string) Scale {
	ind, ok := in.Indicator(indicatorCode)
	if !ok {
		return Scale{}
	}
	return in.Scales[ind.Scale]
}

// Under reports whether the indicator sits in the subtree of node (TotalNode holds them all).
func (in *Instrument) Under(indicator, node string) bool {
	if node == TotalNode {
		return true
	}
	for a := in.LeafOf(indicator); a != nil; a = in.Parent(a.Code) {
		if a.Code == node {
			return true
		}
	}
	return false
}

// Points is the most an area can score: weight / 100 × scale_max, the float64 nearest to the
// exact value (PointsExact), so num.Exact(Points(a)) is that value for every decimal weight.
func (in *Instrument) Points(area *Area) float64 {
	f, _ := in.PointsExact(area).Float64()
	return f
}

// PointsExact is weight / 100 × scale_max computed on the written decimals. The value is shared
// (computed once by Parse): callers must not modify it.
func (in *Instrument) PointsExact(area *Area) *big.Rat {
	if p, ok := in.points[area.Code]; ok {
		return p
	}
	p := num.Exact(area.Weight)
	p.Mul(p, num.Exact(in.ScaleMax))
	return p.Quo(p, big.NewRat(100, 1))
}

// Walk calls fn for every area in pre-order (a parent before its children), with depth 0 for
// the roots.
func (in *Instrument) Walk(fn func(a *Area, depth int)) {
	var walk func(as []*Area, depth int)
	walk = func(as []*Area, depth int) {
		for _, a := range as {
			fn(a, depth)
			walk(a.Areas, depth+1)
		}
	}
	walk(in.Areas, 0)
}

// ReportAreas are the areas an evaluation report speaks of, and evaluators write findings for:
// the children of each root area (a root without children stands for itself), in sheet order.
// For ZI: the six pengungkit areas and the hasil components.
func (in *Instrument) ReportAreas() []string {
	var out []string
	in.Walk(func(a *Area, depth int) {
		if depth == 1 || (depth == 0 && a.IsLeaf()) {
			out = append(out, a.Code)
		}
	})
	return out
}

// ReportAreaOf returns the report area holding the node or indicator code (itself if it is
// one), or "" for a root with children or an unknown code.
func (in *Instrument) ReportAreaOf(code string) string {
	areas := in.ReportAreas()
	for c := code; c != ""; {
		if slices.Contains(areas, c) {
			return c
		}
		p := in.Parent(c)
		if p == nil {
			return ""
		}
		c = p.Code
	}
	return ""
}

// Predicate returns the predicate with the given key.
func (in *Instrument) Predicate(key string) (Predicate, bool) {
	for _, p := range in.Predicates {
		if p.Key == key {
			return p, true
		}
	}
	return Predicate{}, false
}

// Option returns the option of a choice scale with the given key.
func (s Scale) Option(key string) (Option, bool) {
	for _, o := range s.Options {
		if o.Key == key {
			return o, true
		}
	}
	return Option{}, false
}

// Keys lists the option keys of a choice scale, in sheet order.
func (s Scale) Keys() []string {
	keys := make([]string, len(s.Options))
	for i, o := range s.Options {
		keys[i] = o.Key
	}
	return keys
}
