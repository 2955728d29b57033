package scoring

import (
	"testing"

	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/seed/instruments"
)

// BenchmarkScore scores one assessment (every indicator answered) per instrument: the work a
// save does to refresh the live self-score.
func BenchmarkScore(b *testing.B) {
	cat, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		b.Fatal(err)
	}
	for _, inst := range cat.List() {
		answers := Answers{}
		for i, ind := range inst.Indicators() {
			s := inst.ScaleOf(ind.Code)
			switch s.Kind {
			case instrument.KindChoice:
				answers[ind.Code] = Answer{Option: s.Options[i%len(s.Options)].Key}
			case instrument.KindPercent:
				v := float64(i % 101)
				answers[ind.Code] = Answer{Number: &v}
			default:
				v := *s.Min + (*s.Max-*s.Min)/2
				answers[ind.Code] = Answer{Number: &v}
			}
		}
		b.Run(inst.ID, func(b *testing.B) {
			for b.Loop() {
				if _, err := Score(inst, answers, Previous{"WBK": true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
