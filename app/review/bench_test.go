package review

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapor-rb/raporrb/app/assessment"
)

// BenchmarkReviewSave: one evaluator saving reviews of a submitted ZI sheet one after another
// (each through Apply: the sheet, the derived assessment, the board line and the audit event),
// beside a raw ReplaceOne of the same sheet under the same write lock, the engine alone doing
// the sheet write every review save contains. "x-raw" is the ratio of the two.
func BenchmarkReviewSave(b *testing.B) {
	f := newFix(b, true)
	ctx := context.Background()
	d := f.sv.Store.DB()
	var raw bson.Raw
	if err := d.Collection("sheets").FindOne(ctx, bson.D{{Key: "_id", Value: f.id}}).Decode(&raw); err != nil {
		b.Fatal(err)
	}
	replace := func() {
		err := d.Write(ctx, func(ctx context.Context) error {
			_, err := d.Collection("sheets").ReplaceOne(ctx, bson.D{{Key: "_id", Value: f.id}}, raw)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	t0 := time.Now()
	const anchorN = 30
	for range anchorN {
		replace()
	}
	anchor := time.Since(t0) / anchorN

	codes := f.inst.Indicators()
	b.Run("service", func(b *testing.B) {
		i := 0
		for b.Loop() {
			b.StopTimer()
			c := codes[i%len(codes)].Code
			_, sh := f.sheetB(b)
			rev := int64(0)
			if a := sh.Answer(c); a != nil {
				rev = a.ReviewRev
			}
			b.StartTimer()
			if _, _, err := f.rv.Save(ctx, lead, f.id, Input{Indicator: c, Answer: ptr(goodAnswer(f.inst, c)), Verdict: assessment.VerdictOK, Rev: rev}); err != nil {
				b.Fatal(err)
			}
			i++
		}
		b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(anchor), "x-raw")
	})
	b.Run("raw-replace", func(b *testing.B) {
		for b.Loop() {
			replace()
		}
	})
}
