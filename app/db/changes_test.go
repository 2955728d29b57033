package db

import (
	"context"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// TestGenerationCountsWrites: every kind of write to a collection moves its generation once it
// has finished; reads and writes to other collections or databases do not.
func TestGenerationCountsWrites(t *testing.T) {
	d, err := openAt(t, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	units, other := d.Collection("units"), d.Collection("sessions")
	step := func(what string, want bool, fn func() error) {
		t.Helper()
		before := d.Generation("units", "periods")
		if err := fn(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if moved := d.Generation("units", "periods") != before; moved != want {
			t.Errorf("%s: generation moved %v, want %v", what, moved, want)
		}
	}
	step("insert", true, func() error { _, err := units.InsertOne(ctx, bson.M{"_id": "a", "n": 1}); return err })
	step("find", false, func() error { return units.FindOne(ctx, bson.M{"_id": "a"}).Err() })
	step("count", false, func() error { _, err := units.CountDocuments(ctx, bson.M{}); return err })
	step("replace", true, func() error {
		_, err := units.ReplaceOne(ctx, bson.M{"_id": "a"}, bson.M{"n": 2}, options.Replace().SetUpsert(true))
		return err
	})
	step("update", true, func() error {
		_, err := units.UpdateOne(ctx, bson.M{"_id": "a"}, bson.M{"$set": bson.M{"n": 3}})
		return err
	})
	step("find and update", true, func() error {
		return units.FindOneAndUpdate(ctx, bson.M{"_id": "a"}, bson.M{"$set": bson.M{"n": 4}}).Err()
	})
	step("an update that matches nothing", true, func() error {
		_, err := units.UpdateOne(ctx, bson.M{"_id": "zzz"}, bson.M{"$set": bson.M{"n": 1}})
		return err
	})
	step("another collection", false, func() error { _, err := other.InsertOne(ctx, bson.M{"_id": "s"}); return err })
	step("another database", false, func() error {
		_, err := d.WithName("lain").Collection("units").InsertOne(ctx, bson.M{"_id": "b"})
		return err
	})
	step("a second named collection", true, func() error {
		_, err := d.Collection("periods").InsertOne(ctx, bson.M{"_id": 2026})
		return err
	})
	step("delete", true, func() error { _, err := units.DeleteOne(ctx, bson.M{"_id": "a"}); return err })
	step("drop", true, func() error { return units.Drop(ctx) })
	step("drop database", true, func() error { return d.Database.Drop(ctx) })
}
