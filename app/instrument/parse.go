package instrument

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	"gopkg.in/yaml.v3"

	"github.com/rapor-rb/raporrb/app/num"
)

// weightTolerance absorbs float noise in decimal weights (4.08 + 3.36 + …) without letting a
// real typo through.
const weightTolerance = 1e-6

var (
	idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	// Codes become URL segments and map keys in stored snapshots, so no spaces, '$' or slashes.
	codePattern = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?$`)
	// Predicate keys are listed comma-separated on the command line (-previous WBK,WBBM).
	keyPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// Error is a problem in an instrument sheet. Its text is one line: "file: where: problem",
// where is the code (or scale, grade, predicate) at fault.
type Error struct {
	File    string
	Where   string
	Problem string
}

func (e *Error) Error() string {
	if e.Where == "" {
		return e.File + ": " + e.Problem
	}
	return e.File + ": " + e.Where + ": " + e.Problem
}

// Parse decodes one YAML sheet strictly (unknown fields are an error) and validates it. name is
// used only in error messages, normally the file name. Every error is an *Error.
func Parse(name string, data []byte) (*Instrument, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var in Instrument
	if err := dec.Decode(&in); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: name, Problem: "empty file"}
		}
		return nil, &Error{File: name, Problem: yamlProblem(err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &Error{File: name, Problem: "more than one YAML document"}
	}
	if err := in.validate(name); err != nil {
		return nil, err
	}
	return &in, nil
}

// yamlProblem flattens the decoder's multi-line messages so the error stays one line.
func yamlProblem(err error) string {
	var te *yaml.TypeError
	var msg string
	if errors.As(err, &te) {
		msg = strings.Join(te.Errors, "; ")
	} else {
		msg = strings.TrimPrefix(err.Error(), "yaml: ")
	}
	return strings.Join(strings.Fields(msg), " ")
}

// fmtNum prints a number without float noise (7.499999999999999 → 7.5).
func fmtNum(x float64) string {
	return strconv.FormatFloat(math.Round(x*1e9)/1e9, 'g', -1, 64)
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// validator checks one sheet and builds its indexes; the first problem found is reported.
type validator struct {
	file string
	in   *Instrument
	kind map[string]string // code → "area" or "indicator", for duplicate detection
}

func (v *validator) errf(where, format string, args ...any) error {
	return &Error{File: v.file, Where: where, Problem: fmt.Sprintf(format, args...)}
}

func (in *Instrument) validate(file string) error {
	v := &validator{file: file, in: in, kind: map[string]string{}}
	in.nodes = map[string]*Area{}
	in.points = nil
	in.parents = map[string]*Area{}
	in.indIndex = map[string]int{}
	in.leafOf = map[string]*Area{}
	in.indicators = nil
	for _, check := range []func() error{v.header, v.scales, v.areas, v.grades, v.predicates, v.eligibility} {
		if err := check(); err != nil {
			return err
		}
	}
	// Exact values the scoring engine reads on every score: computed once, never modified.
	for _, s := range in.Scales {
		for i := range s.Options {
			s.Options[i].exact = num.Exact(s.Options[i].Value)
		}
	}
	points := make(map[string]*big.Rat, len(in.nodes))
	for code, a := range in.nodes {
		points[code] = in.PointsExact(a)
	}
	in.points = points
	return nil
}

func (v *validator) header() error {
	in := v.in
	switch {
	case in.ID == "":
		return v.errf("id", "missing")
	case !idPattern.MatchString(in.ID):
		return v.errf("id", "%q is not a slug (lower-case letters, digits and '-')", in.ID)
	case strings.TrimSpace(in.Title) == "":
		return v.errf("title", "missing")
	case utf16Len(in.Short) > MaxShortName:
		return v.errf("short", "%q is longer than %d characters (it names an Excel sheet)", in.Short, MaxShortName)
	case strings.ContainsAny(in.Short, `[]:*?/\`):
		return v.errf("short", "%q contains a character Excel forbids in a sheet name ([]:*?/\\)", in.Short)
	case !(in.ScaleMax > 0) || !finite(in.ScaleMax):
		return v.errf("scale_max", "must be a number > 0, got %s", fmtNum(in.ScaleMax))
	}
	return nil
}

func (v *validator) scales() error {
	names := make([]string, 0, len(v.in.Scales))
	for name := range v.in.Scales {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := v.scale(name, v.in.Scales[name]); err != nil {
			return err
		}
	}
	return nil
}

func (v *validator) scale(name string, s Scale) error {
	if name == "" {
		return v.errf("scales", "a scale has an empty name")
	}
	where := "scale " + name
	if s.Source != "" && s.Source != SourceSurvey {
		return v.errf(where, "unknown source %q (want %s, or none when the unit answers it)", s.Source, SourceSurvey)
	}
	switch s.Kind {
	case KindChoice:
		if s.Min != nil || s.Max != nil {
			return v.errf(where, "a choice scale takes no min or max")
		}
		if len(s.Options) == 0 {
			return v.errf(where, "a choice scale needs at least one option")
		}
		seen := map[string]bool{}
		best := math.Inf(-1)
		for i, o := range s.Options {
			switch {
			case o.Key == "":
				return v.errf(where, "option %d has no key", i+1)
			case seen[o.Key]:
				return v.errf(where, "duplicate option key %q", o.Key)
			case !(o.Value >= 0 && o.Value <= 1):
				return v.errf(where, "option %q has value %s, want a value in [0, 1]", o.Key, fmtNum(o.Value))
			}
			seen[o.Key] = true
			best = max(best, o.Value)
		}
		// scale_max is by definition the total when every answer is the best one.
		if best != 1 {
			return v.errf(where, "best option has value %s, want 1", fmtNum(best))
		}
	case KindPercent:
		if len(s.Options) > 0 || s.Min != nil || s.Max != nil {
			return v.errf(where, "a percent scale takes no options, min or max (it is always 0..100)")
		}
	case KindNumber:
		if len(s.Options) > 0 {
			return v.errf(where, "a number scale takes no options")
		}
		if s.Min == nil || s.Max == nil {
			return v.errf(where, "a number scale needs min and max")
		}
		// value = x/max must stay in [0, 1], hence 0 <= min.
		if mn, mx := *s.Min, *s.Max; !finite(mn) || !finite(mx) || !(mn >= 0 && mn < mx) {
			return v.errf(where, "want 0 <= min < max, got min %s and max %s", fmtNum(mn), fmtNum(mx))
		}
	default:
		return v.errf(where, "unknown kind %q (want choice, percent or number)", s.Kind)
	}
	return nil
}

func (v *validator) areas() error {
	if len(v.in.Areas) == 0 {
		return v.errf("areas", "the instrument has no areas")
	}
	for i, a := range v.in.Areas {
		if err := v.area(a, nil, i); err != nil {
			return err
		}
	}
	return v.sum("areas", "root weights", v.in.Areas, 100)
}

// code checks a node's code against the format, duplicates and its parent's code. what is
// "area" or "indicator"; missingWhere names the place when the code itself is missing.
func (v *validator) code(code, what, missingWhere string, parent *Area) error {
	switch {
	case code == "":
		return v.errf(missingWhere, "missing code")
	case !codePattern.MatchString(code):
		return v.errf(code, "not a valid code (letters, digits, '.', '_' and '-')")
	case code == TotalNode:
		return v.errf(code, "reserved: predicates use %q for the instrument's total", TotalNode)
	case v.kind[code] != "":
		return v.errf(code, "duplicate code (already used by an %s)", v.kind[code])
	case parent != nil && !strings.HasPrefix(code, parent.Code+"."):
		return v.errf(code, "code does not extend its parent's code %s", parent.Code)
	}
	v.kind[code] = what
	return nil
}

func (v *validator) area(a *Area, parent *Area, i int) error {
	missing := fmt.Sprintf("area %d", i+1)
	if parent != nil {
		missing = fmt.Sprintf("%s: area %d", parent.Code, i+1)
	}
	if a == nil {
		return v.errf(missing, "empty area")
	}
	if err := v.code(a.Code, "area", missing, parent); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(a.Title) == "":
		return v.errf(a.Code, "missing title")
	case !(a.Weight > 0) || !finite(a.Weight):
		return v.errf(a.Code, "weight must be a number > 0, got %s", fmtNum(a.Weight))
	case len(a.Areas) > 0 && len(a.Indicators) > 0:
		return v.errf(a.Code, "has both areas and indicators (a node is either a parent or a leaf)")
	case len(a.Areas) == 0 && len(a.Indicators) == 0:
		return v.errf(a.Code, "has neither areas nor indicators")
	}
	v.in.nodes[a.Code] = a
	v.in.parents[a.Code] = parent
	for j, c := range a.Areas {
		if err := v.area(c, a, j); err != nil {
			return err
		}
	}
	if len(a.Areas) > 0 {
		return v.sum(a.Code, "children's weights", a.Areas, a.Weight)
	}
	for j, ind := range a.Indicators {
		if err := v.indicator(ind, a, j); err != nil {
			return err
		}
	}
	return nil
}

func (v *validator) indicator(ind Indicator, leaf *Area, i int) error {
	if err := v.code(ind.Code, "indicator", fmt.Sprintf("%s: indicator %d", leaf.Code, i+1), leaf); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(ind.Text) == "":
		return v.errf(ind.Code, "missing text")
	case ind.Scale == "":
		return v.errf(ind.Code, "missing scale")
	}
	s, ok := v.in.Scales[ind.Scale]
	if !ok {
		return v.errf(ind.Code, "unknown scale %q", ind.Scale)
	}
	criteria, err := v.criteria(ind, s)
	if err != nil {
		return err
	}
	ind.Criteria = criteria
	leaf.Indicators[i] = ind
	v.in.indIndex[ind.Code] = len(v.in.indicators)
	v.in.indicators = append(v.in.indicators, ind)
	v.in.leafOf[ind.Code] = leaf
	v.in.parents[ind.Code] = leaf
	return nil
}

// criteria checks an indicator's criteria against its scale and returns them completed from the
// scale's option texts: every option of a choice scale needs one (the LKE's criterion, so a
// person can answer without the paper sheet); a number scale may describe its whole values
// (all of them, or none); a percent scale takes none.
func (v *validator) criteria(ind Indicator, s Scale) (map[string]string, error) {
	for key, text := range ind.Criteria {
		if strings.TrimSpace(text) == "" {
			return nil, v.errf(ind.Code, "criteria %q is empty", key)
		}
	}
	switch s.Kind {
	case KindChoice:
		out := make(map[string]string, len(s.Options))
		for key := range ind.Criteria {
			if _, ok := s.Option(key); !ok {
				return nil, v.errf(ind.Code, "criteria for %q, which is not an option of scale %s (%s)", key, ind.Scale, strings.Join(s.Keys(), ", "))
			}
		}
		var missing []string
		for _, o := range s.Options {
			switch {
			case ind.Criteria[o.Key] != "":
				out[o.Key] = ind.Criteria[o.Key]
			case strings.TrimSpace(o.Text) != "":
				out[o.Key] = o.Text
			default:
				missing = append(missing, o.Key)
			}
		}
		if len(missing) > 0 {
			return nil, v.errf(ind.Code, "no criteria for option %s (write them under criteria, or as text on scale %s's options)",
				strings.Join(missing, ", "), ind.Scale)
		}
		return out, nil
	case KindNumber:
		if len(ind.Criteria) == 0 {
			return nil, nil
		}
		values := wholeValues(s)
		for key := range ind.Criteria {
			n, err := strconv.Atoi(key)
			if err != nil || !slices.Contains(values, n) {
				return nil, v.errf(ind.Code, "criteria for %q, want a whole value from %s to %s", key, fmtNum(*s.Min), fmtNum(*s.Max))
			}
		}
		for _, n := range values {
			if _, ok := ind.Criteria[strconv.Itoa(n)]; !ok {
				return nil, v.errf(ind.Code, "no criteria for value %d (describe every whole value from %s to %s, or none)", n, fmtNum(*s.Min), fmtNum(*s.Max))
			}
		}
		return ind.Criteria, nil
	default:
		if len(ind.Criteria) > 0 {
			return nil, v.errf(ind.Code, "a %s scale takes no criteria", s.Kind)
		}
		return nil, nil
	}
}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

func (v *validator) sum(where, what string, areas []*Area, want float64) error {
	var sum float64
	for _, a := range areas {
		sum += a.Weight
	}
	if math.Abs(sum-want) > weightTolerance {
		return v.errf(where, "%s sum to %s, want %s", what, fmtNum(sum), fmtNum(want))
	}
	return nil
}

func (v *validator) grades() error {
	seen := map[string]bool{}
	gs := v.in.Grades
	for i, g := range gs {
		where := "grade " + g.Key
		switch {
		case g.Key == "":
			return v.errf(fmt.Sprintf("grade %d", i+1), "missing key")
		case seen[g.Key]:
			return v.errf(where, "duplicate key")
		case (g.Above == nil) == (g.Min == nil):
			return v.errf(where, "want exactly one of above and min")
		case !finite(g.Bound()):
			return v.errf(where, "bound must be a number")
		case i > 0 && !(g.Bound() < gs[i-1].Bound()):
			return v.errf(where, "bound %s is not below the previous grade's %s (grades go from best to worst)",
				fmtNum(g.Bound()), fmtNum(gs[i-1].Bound()))
		}
		seen[g.Key] = true
	}
	// Scores are never negative, so min <= 0 or above < 0 catches all; "above: 0" would leave a
	// score of exactly 0 without a grade.
	if n := len(gs); n > 0 {
		last := gs[n-1]
		if (last.Min != nil && *last.Min > 0) || (last.Above != nil && *last.Above >= 0) {
			return v.errf("grade "+last.Key, "the last grade must catch every score (min: 0)")
		}
	}
	return nil
}

func (v *validator) predicates() error {
	keys := map[string]bool{}
	for i, p := range v.in.Predicates {
		switch {
		case p.Key == "":
			return v.errf(fmt.Sprintf("predicate %d", i+1), "missing key")
		case !keyPattern.MatchString(p.Key):
			return v.errf("predicate "+p.Key, "key must be letters, digits, '_' or '-'")
		case keys[p.Key]:
			return v.errf("predicate "+p.Key, "duplicate key")
		}
		keys[p.Key] = true
	}
	for _, p := range v.in.Predicates {
		where := "predicate " + p.Key
		if p.RequiresPrevious != "" && !keys[p.RequiresPrevious] {
			return v.errf(where, "requires_previous %q is not a predicate of this instrument", p.RequiresPrevious)
		}
		if len(p.Rules) == 0 {
			return v.errf(where, "no rules")
		}
		for i, r := range p.Rules {
			if err := v.rule(fmt.Sprintf("%s: rule %d", where, i+1), r); err != nil {
				return err
			}
		}
	}
	return nil
}

func (v *validator) rule(where string, r Rule) error {
	nodeForm := r.Node != "" || r.Min != nil
	childForm := r.EachChildOf != "" || r.MinRatio != nil
	switch {
	case nodeForm && childForm:
		return v.errf(where, "want either node+min or each_child_of+min_ratio, not a mix")
	case nodeForm:
		if r.Node == "" || r.Min == nil {
			return v.errf(where, "want both node and min")
		}
		if !v.known(r.Node) {
			return v.errf(where, "unknown node %q (want an area code or %q)", r.Node, TotalNode)
		}
		if !(*r.Min >= 0) || !finite(*r.Min) {
			return v.errf(where, "min must be a number >= 0, got %s", fmtNum(*r.Min))
		}
	case childForm:
		if r.EachChildOf == "" || r.MinRatio == nil {
			return v.errf(where, "want both each_child_of and min_ratio")
		}
		if !v.known(r.EachChildOf) {
			return v.errf(where, "unknown node %q (want an area code or %q)", r.EachChildOf, TotalNode)
		}
		if len(v.in.Children(r.EachChildOf)) == 0 {
			return v.errf(where, "each_child_of %s: the area has no sub-areas", r.EachChildOf)
		}
		if !(*r.MinRatio > 0 && *r.MinRatio <= 1) {
			return v.errf(where, "min_ratio must be in (0, 1], got %s", fmtNum(*r.MinRatio))
		}
	default:
		return v.errf(where, "want node+min or each_child_of+min_ratio")
	}
	return nil
}

func (v *validator) known(node string) bool {
	_, ok := v.in.nodes[node]
	return ok || node == TotalNode
}
