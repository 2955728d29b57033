package db

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

func TestReopenRecreatesIndexes(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	d, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Prepare(ctx, "a", "b"); err != nil {
		t.Fatal(err)
	}
	d.Collection("a").InsertOne(ctx, bson.M{"_id": "x"})
	if _, err := d.Collection("a").Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "unit", Value: 1}}}); err != nil {
		t.Fatal(err)
	}
	d.Close()
	d, err = Open(ctx, Config{DataDir: dir, Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Prepare(ctx, "a", "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Collection("a").Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "unit", Value: 1}}}); err != nil {
		t.Fatal(err)
	}
}
