package instrument

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Eligibility is a Rapor RB extension of the catalog format: what must hold, besides the score,
// before a unit may be proposed for a predicate (ZI: the kabupaten's BPK opinion, SPIP maturity,
// SAKIP and Indeks RB; the unit's follow-up of audit findings and survey report; WBBM after two
// years as WBK). Facts are entered once a year (kabupaten-level ones for the kabupaten,
// unit-level ones per unit); conditions judge them. Source says where the list comes from and
// Confirmed whether a regulation's text states it.
type Eligibility struct {
	Source     string      `yaml:"source" json:"source"`
	Confirmed  bool        `yaml:"confirmed" json:"confirmed"`
	Facts      []Fact      `yaml:"facts" json:"facts"`
	Conditions []Condition `yaml:"conditions" json:"conditions"`
}

// Fact levels.
const (
	LevelKabupaten = "kabupaten" // one value for the kabupaten and year
	LevelUnit      = "unit"      // one value per unit and year
)

// Fact is one entered fact: a choice among options, a percent (0–100) or a number (min–max).
type Fact struct {
	Key     string   `yaml:"key" json:"key"`
	Level   string   `yaml:"level" json:"level"`
	Label   string   `yaml:"label" json:"label"`
	Kind    string   `yaml:"kind" json:"kind"` // KindChoice, KindPercent or KindNumber
	Options []string `yaml:"options,omitempty" json:"options,omitempty"`
	Min     *float64 `yaml:"min,omitempty" json:"min,omitempty"`
	Max     *float64 `yaml:"max,omitempty" json:"max,omitempty"`
}

// Condition is one line of a predicate's checklist: a fact that must be one of some options or
// reach a minimum (min inclusive, above strict), or a predicate the unit's final results must
// have held for at least Years periods before this one (Held, Years).
type Condition struct {
	For   []string `yaml:"for" json:"for"` // predicate keys the condition applies to
	Text  string   `yaml:"text" json:"text"`
	Fact  string   `yaml:"fact,omitempty" json:"fact,omitempty"`
	OneOf []string `yaml:"one_of,omitempty" json:"one_of,omitempty"`
	Min   *float64 `yaml:"min,omitempty" json:"min,omitempty"`
	Above *float64 `yaml:"above,omitempty" json:"above,omitempty"`
	Held  string   `yaml:"held,omitempty" json:"held,omitempty"`
	Years int      `yaml:"years,omitempty" json:"years,omitempty"`
}

// Fact returns the fact with the given key.
func (e *Eligibility) Fact(key string) (Fact, bool) {
	for _, f := range e.Facts {
		if f.Key == key {
			return f, true
		}
	}
	return Fact{}, false
}

// FactsAt lists the facts of one level, in sheet order.
func (e *Eligibility) FactsAt(level string) []Fact {
	var out []Fact
	for _, f := range e.Facts {
		if f.Level == level {
			out = append(out, f)
		}
	}
	return out
}

// factKey: fact keys become field names in stored documents, so lower-case letters, digits and _.
var factKey = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func (v *validator) eligibility() error {
	e := v.in.Eligibility
	if e == nil {
		return nil
	}
	if strings.TrimSpace(e.Source) == "" {
		return v.errf("eligibility", "missing source (say where the checklist comes from)")
	}
	seen := map[string]bool{}
	for i, f := range e.Facts {
		where := "eligibility fact " + f.Key
		switch {
		case !factKey.MatchString(f.Key):
			return v.errf(fmt.Sprintf("eligibility fact %d", i+1), "key %q must be lower-case letters, digits and '_'", f.Key)
		case seen[f.Key]:
			return v.errf(where, "duplicate key")
		case f.Level != LevelKabupaten && f.Level != LevelUnit:
			return v.errf(where, "unknown level %q (want %s or %s)", f.Level, LevelKabupaten, LevelUnit)
		case strings.TrimSpace(f.Label) == "":
			return v.errf(where, "missing label")
		}
		seen[f.Key] = true
		switch f.Kind {
		case KindChoice:
			if len(f.Options) == 0 || f.Min != nil || f.Max != nil {
				return v.errf(where, "a choice fact needs options and takes no min or max")
			}
		case KindPercent:
			if len(f.Options) > 0 || f.Min != nil || f.Max != nil {
				return v.errf(where, "a percent fact takes no options, min or max")
			}
		case KindNumber:
			if len(f.Options) > 0 || f.Min == nil || f.Max == nil || !(*f.Min < *f.Max) {
				return v.errf(where, "a number fact needs min < max and no options")
			}
		default:
			return v.errf(where, "unknown kind %q (want choice, percent or number)", f.Kind)
		}
	}
	for i, c := range e.Conditions {
		where := fmt.Sprintf("eligibility condition %d", i+1)
		if strings.TrimSpace(c.Text) == "" {
			return v.errf(where, "missing text")
		}
		if len(c.For) == 0 {
			return v.errf(where, "for: name at least one predicate")
		}
		for _, p := range c.For {
			if _, ok := v.in.Predicate(p); !ok {
				return v.errf(where, "for: %q is not a predicate of this instrument", p)
			}
		}
		factForm := c.Fact != "" || len(c.OneOf) > 0 || c.Min != nil || c.Above != nil
		heldForm := c.Held != "" || c.Years != 0
		switch {
		case factForm == heldForm:
			return v.errf(where, "want either fact with one_of, min or above, or held with years")
		case heldForm:
			if _, ok := v.in.Predicate(c.Held); !ok || c.Years < 1 {
				return v.errf(where, "held must name a predicate and years be at least 1")
			}
		default:
			f, ok := e.Fact(c.Fact)
			if !ok {
				return v.errf(where, "unknown fact %q", c.Fact)
			}
			n := 0
			for _, set := range []bool{len(c.OneOf) > 0, c.Min != nil, c.Above != nil} {
				if set {
					n++
				}
			}
			if n != 1 {
				return v.errf(where, "want exactly one of one_of, min and above")
			}
			if len(c.OneOf) > 0 {
				if f.Kind != KindChoice {
					return v.errf(where, "one_of needs a choice fact, %s is %s", f.Key, f.Kind)
				}
				for _, o := range c.OneOf {
					if !slices.Contains(f.Options, o) {
						return v.errf(where, "%q is not an option of %s", o, f.Key)
					}
				}
			} else if f.Kind == KindChoice {
				return v.errf(where, "min and above need a number or percent fact, %s is a choice", f.Key)
			}
		}
	}
	return nil
}
