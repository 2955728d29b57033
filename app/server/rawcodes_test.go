package server

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/chromedp/chromedp"

	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/eligibility"
	"github.com/rapor-rb/raporrb/app/evidence"
	"github.com/rapor-rb/raporrb/app/instrument"
)

// No raw codes where a person reads. A page may show a code only small and muted beside its
// name (class "kode"), where users cross-reference the paper LKE; everything else a person reads
// is a name. These helpers check that on a live page; a test of any page (the lead's review page
// too) runs noRawCodes after loading it.

// codeToken is one word as codes are written: letters and digits joined by . _ - / +.
var codeToken = regexp.MustCompile(`[A-Za-z0-9](?:[A-Za-z0-9._/+-]*[A-Za-z0-9])?`)

// rawCodes lists what no page may show as text: every area and indicator code and every
// instrument id of the catalog, the keys of grades and predicates that carry a name
// (SIAP_CATATAN, TATAP_MUKA; WBK and BB are names themselves), the eligibility fact keys, the
// assessment status and verdict values and the checklist statuses that are not words
// (perlu_perbaikan, returned, belum_diisi), the evidence MIME types, and documentation paths. A
// code that is also a word of the catalog's own texts (IKM, an instrument's short name) is left
// out: pages use it as a word.
func rawCodes(cat *instrument.Catalog) map[string]bool {
	codes := map[string]bool{"docs/path.md": true, "docs/api.md": true}
	words := map[string]bool{}
	addWords := func(ss ...string) {
		for _, s := range ss {
			for _, w := range codeToken.FindAllString(s, -1) {
				words[w] = true
			}
		}
	}
	for _, in := range cat.List() {
		codes[in.ID] = true
		addWords(in.Title, in.ShortName(), in.Regulation)
		in.Walk(func(a *instrument.Area, _ int) {
			codes[a.Code] = true
			addWords(a.Title)
			for _, ind := range a.Indicators {
				codes[ind.Code] = true
				addWords(ind.Text, ind.Evidence)
				for _, c := range ind.Criteria {
					addWords(c)
				}
			}
		})
		for _, g := range in.Grades {
			if g.Display() != g.Key {
				codes[g.Key] = true
			}
			addWords(g.Label, g.Display())
		}
		for _, p := range in.Predicates {
			if p.Display() != p.Key {
				codes[p.Key] = true
			}
			addWords(p.Label, p.Display())
		}
		if e := in.Eligibility; e != nil {
			for _, f := range e.Facts {
				codes[f.Key] = true
				addWords(f.Label)
			}
		}
	}
	for _, s := range []assessment.Status{assessment.Draft, assessment.Submitted, assessment.InReview, assessment.Returned, assessment.Final} {
		if string(s) != strings.ToLower(s.Label()) {
			codes[string(s)] = true
		}
	}
	codes[string(assessment.VerdictReturned)] = true
	for _, s := range []eligibility.Status{eligibility.Met, eligibility.Unmet, eligibility.NotKnown} {
		if string(s) != strings.ToLower(s.Label()) {
			codes[string(s)] = true
		}
	}
	for _, typ := range evidence.Types {
		codes[typ] = true
	}
	for w := range words {
		delete(codes, w)
	}
	return codes
}

// visibleText is the text a person reads on the page: the body's rendered text without the small
// muted code labels (.kode). The labels are hidden for the reading and shown again.
const visibleText = `(() => {
	const labels = Array.from(document.querySelectorAll('.kode'));
	labels.forEach(e => { e.dataset.was = e.style.display; e.style.display = 'none'; });
	const t = document.body.innerText;
	labels.forEach(e => { e.style.display = e.dataset.was; delete e.dataset.was; });
	return t;
})()`

// noRawCodes fails, naming each code and where it appears, when the page's visible text holds a
// raw code; what names the page in the message.
func noRawCodes(codes map[string]bool, what string) chromedp.Action {
	return step("checking "+what+" for raw codes", chromedp.ActionFunc(func(ctx context.Context) error {
		var txt string
		if err := chromedp.Evaluate(visibleText, &txt).Do(ctx); err != nil {
			return err
		}
		if found := findCodes(codes, txt); len(found) > 0 {
			return fmt.Errorf("raw codes where a person reads: %s", strings.Join(found, "; "))
		}
		return nil
	}))
}

// findCodes lists each raw code of text once, with a little context.
func findCodes(codes map[string]bool, text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, loc := range codeToken.FindAllStringIndex(text, -1) {
		w := text[loc[0]:loc[1]]
		if !codes[w] || seen[w] {
			continue
		}
		seen[w] = true
		from, to := max(0, loc[0]-40), min(len(text), loc[1]+40)
		out = append(out, fmt.Sprintf("%q in …%s…", w, strings.Join(strings.Fields(text[from:to]), " ")))
	}
	slices.Sort(out)
	return out
}
