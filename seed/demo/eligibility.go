package demo

import (
	"github.com/rapor-rb/raporrb/app/eligibility"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/period"
)

// eligibilityFacts are the demo kabupaten's yearly facts for every instrument with a proposal
// checklist (ZI): an unqualified BPK opinion and SPIP level 3 throughout; a SAKIP value and an
// Indeks RB that pass WBK's conditions but not WBBM's (B and CC, not BB and B), so a kecamatan
// whose score reaches WBBM still sees what the kabupaten lacks; per kecamatan, the follow-up of
// audit findings (mostly 100%) and the survey report (a few without), with two kecamatan left
// unentered in the current year, as an admin who has not finished would leave them.
func eligibilityFacts(cat *instrument.Catalog, periods []period.Period) []eligibility.Facts {
	var out []eligibility.Facts
	for k, p := range periods {
		for _, in := range cat.List() {
			if in.Eligibility == nil {
				continue
			}
			f := eligibility.Facts{Year: p.Year, Instrument: in.ID, Kabupaten: Kabupaten,
				Values: map[string]eligibility.Value{
					"opini_bpk":      {Option: "WTP"},
					"maturitas_spip": {Number: numPtr(3)},
					"nilai_sakip":    {Number: numPtr(round2(62.4 + 2.3*float64(k)))},
					"indeks_rb":      {Number: numPtr(round2(52.1 + 1.9*float64(k)))},
				}}
			for i, kec := range kecamatanList {
				if k == len(periods)-1 && i >= len(kecamatanList)-2 {
					continue // not entered yet this year
				}
				r := rngFor("syarat", in.ID, kec.code, p.Year)
				followUp := 100.0
				if r.IntN(4) == 0 {
					followUp = float64(80 + r.IntN(20))
				}
				report := "Ada"
				if r.IntN(6) == 0 {
					report = "Belum ada"
				}
				f.Units = append(f.Units, eligibility.UnitFacts{Unit: kec.code, Values: map[string]eligibility.Value{
					"tindak_lanjut_temuan": {Number: numPtr(followUp)},
					"laporan_survei":       {Option: report},
				}})
			}
			known(in.Eligibility, f.Values)
			for _, u := range f.Units {
				known(in.Eligibility, u.Values)
			}
			out = append(out, f)
		}
	}
	return out
}

// known drops the values of facts the checklist does not define (an edited catalog still seeds).
func known(e *instrument.Eligibility, vs map[string]eligibility.Value) {
	for k := range vs {
		if _, ok := e.Fact(k); !ok {
			delete(vs, k)
		}
	}
}
