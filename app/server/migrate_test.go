package server

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/dbtest"
)

// A data directory of an earlier version keeps its history as one document per assessment;
// after the start-up migration the same versions read back, newest first, and a second start
// changes nothing.
func TestMigrationKeepsOldHistory(t *testing.T) {
	d := dbtest.Fresh(t, engine)
	st := NewStores(d, catalog, func() time.Time { return demoNow })
	ctx := context.Background()
	if err := st.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
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
		if _, err := st.Migrate(ctx); err != nil {
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
