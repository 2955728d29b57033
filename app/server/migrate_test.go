package server

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/dbtest"
)

// A data directory written before whole-day deadlines starts up migrated: units active with
// the root in WIB, windows as the days they named, a per-unit deadline instant as an extension
// through the day it showed; a second start changes nothing.
func TestStartUpMigratesEarlierData(t *testing.T) {
	d := dbtest.Fresh(t, engine)
	ctx := context.Background()
	wib := time.FixedZone("WIB", 7*3600)
	day := func(y int, m time.Month, dd int) time.Time { return time.Date(y, m, dd, 0, 0, 0, 0, wib).UTC() }
	for coll, docs := range map[string][]any{
		"units": {bson.D{{Key: "_id", Value: "kab-lama"}, {Key: "name", Value: "Kabupaten Lama"}, {Key: "kind", Value: "kabupaten"}},
			bson.D{{Key: "_id", Value: "satu"}, {Key: "name", Value: "Satu"}, {Key: "kind", Value: "kecamatan"}, {Key: "parent", Value: "kab-lama"}}},
		"periods": {bson.D{{Key: "_id", Value: 2025}, {Key: "instruments", Value: bson.A{bson.D{{Key: "instrument", Value: "zi-2021"},
			{Key: "opens", Value: day(2025, 1, 15)}, {Key: "self_deadline", Value: day(2025, 9, 30)}, {Key: "review_deadline", Value: day(2025, 11, 30)}}}}}},
		"assessments": {bson.D{{Key: "_id", Value: "2025/zi-2021/satu"}, {Key: "period", Value: 2025}, {Key: "instrument", Value: "zi-2021"},
			{Key: "unit", Value: "satu"}, {Key: "status", Value: "draf"}, {Key: "rev", Value: int64(1)}, {Key: "deadline", Value: day(2025, 10, 14)},
			{Key: "updated_at", Value: day(2025, 10, 1)}}},
	} {
		if _, err := d.Collection(coll).InsertMany(ctx, docs); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		st := NewStores(d, catalog, nil)
		if err := st.EnsureIndexes(ctx); err != nil {
			t.Fatal(err)
		}
		root, err := st.Units.Root(ctx)
		if err != nil || root.TimeZone != "Asia/Jakarta" || !root.Active {
			t.Errorf("root = %+v, %v", root, err)
		}
		if u, _ := st.Units.ByCode(ctx, "satu"); !u.Active {
			t.Errorf("satu inactive after the migration")
		}
		p, err := st.Periods.ByYear(ctx, 2025)
		if err != nil {
			t.Fatal(err)
		}
		if w, _ := p.Window("zi-2021"); w.Opens != "2025-01-15" || w.SelfDeadline != "2025-09-30" || w.ReviewDeadline != "2025-11-30" {
			t.Errorf("window = %+v", w)
		}
		a, err := st.Assessments.ByID(ctx, "2025/zi-2021/satu")
		if err != nil || a.Extension == nil || a.Extension.Until != "2025-10-14" {
			t.Errorf("assessment = %+v, %v", a, err)
		}
	}
}

// A data directory of an earlier version keeps its history as one document per assessment;
// after the start-up migration the same versions read back, newest first, and a second start
// changes nothing.
func TestMigrationKeepsOldHistory(t *testing.T) {
	d := dbtest.Fresh(t, engine)
	st := NewStores(d, catalog, func() time.Time { return demoNow })
	ctx := context.Background()
	const id, code = "2026/zi-2021/sukamaju", "P.MP.PM.1.a"
	at := demoNow.UTC()
	var old []assessment.Version
	for rev := int64(1); rev <= 120; rev++ {
		old = append(old, assessment.Version{Indicator: code, Rev: rev, Option: "Ya", Note: "catatan", By: "staf.sukamaju", At: at.Add(time.Duration(rev) * time.Minute)})
		old = append(old, assessment.Version{Indicator: "P.MP.PM.1.b", Rev: rev, Option: "A", By: "camat.sukamaju", At: at})
	}
	if _, err := d.Collection("history").InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "versions", Value: old}}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := st.EnsureIndexes(ctx); err != nil {
			t.Fatal(err)
		}
	}
	cur := assessment.Answer{Indicator: code, Rev: 120}
	got, err := st.Assessments.History(ctx, id, cur, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 50 || got[0].Rev != 120 || got[49].Rev != 71 || !got[0].At.Equal(old[238].At) || got[0].Note != "catatan" {
		t.Errorf("migrated history: %d versions, first %+v", len(got), got[0])
	}
	if n, _ := d.Collection("history").CountDocuments(ctx, bson.D{}); n != 240 {
		t.Errorf("%d history documents, want one per version (240)", n)
	}
	if err := d.Collection("history").FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Err(); err == nil {
		t.Error("the old document is still there")
	}
}

// A data directory of the version before the PEKPPP blend holds sheets under the old codes
// (KB.01.a); at start-up they move under the F02 root with their history, and score again.
func TestMigrationMovesPEKPPPCodes(t *testing.T) {
	d := dbtest.Fresh(t, engine)
	ctx := context.Background()
	const id = "2026/pekppp-2022/sukamaju"
	at := demoNow.UTC()
	four := 4.0
	if _, err := d.Collection("units").InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: "kab"}, {Key: "name", Value: "Kabupaten"}, {Key: "kind", Value: "kabupaten"}},
		bson.D{{Key: "_id", Value: "sukamaju"}, {Key: "name", Value: "Sukamaju"}, {Key: "kind", Value: "kecamatan"}, {Key: "parent", Value: "kab"}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Collection("assessments").InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "period", Value: 2026},
		{Key: "instrument", Value: "pekppp-2022"}, {Key: "unit", Value: "sukamaju"}, {Key: "status", Value: "draf"}, {Key: "rev", Value: int64(1)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Collection("sheets").InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "rev", Value: int64(2)}, {Key: "answers", Value: bson.A{
		bson.D{{Key: "indicator", Value: "KB.01.a"}, {Key: "rev", Value: int64(2)}, {Key: "self", Value: bson.D{{Key: "value", Value: four}, {Key: "by", Value: "staf.sukamaju"}, {Key: "at", Value: at}}}},
	}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Collection("history").InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "versions", Value: bson.A{
		bson.D{{Key: "indicator", Value: "KB.01.a"}, {Key: "rev", Value: int64(1)}, {Key: "value", Value: 3.0}, {Key: "by", Value: "staf.sukamaju"}, {Key: "at", Value: at}},
		bson.D{{Key: "indicator", Value: "KB.01.a"}, {Key: "rev", Value: int64(2)}, {Key: "value", Value: four}, {Key: "by", Value: "staf.sukamaju"}, {Key: "at", Value: at}},
	}}}); err != nil {
		t.Fatal(err)
	}
	st := NewStores(d, catalog, func() time.Time { return demoNow })
	for range 2 {
		if err := st.EnsureIndexes(ctx); err != nil {
			t.Fatal(err)
		}
	}
	sh, err := st.Assessments.Sheet(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	ans := sh.Answer("F02.KB.01.a")
	if ans == nil || sh.Answer("KB.01.a") != nil || *ans.Self.Value != 4 {
		t.Fatalf("answers after the migration: %+v", sh.Answers)
	}
	hist, err := st.Assessments.History(ctx, id, *ans, 0, 0)
	if err != nil || len(hist) != 2 || hist[1].Indicator != "F02.KB.01.a" || *hist[1].Value != 3 {
		t.Errorf("history after the migration: %+v %v", hist, err)
	}
	a, err := st.Assessments.ByID(ctx, id)
	if err != nil || a.Self.Total == 0 || a.Self.Node("F02.KB") == 0 {
		t.Errorf("rescored snapshot: %+v %v", a, err)
	}
}
