// Package audit keeps the append-only log of every state-changing action: who did what, to
// what, when. Events are stored in day buckets (DESIGN.md: `audit` {_id: "2026-11-23",
// events}), numbered so that no document grows past bucketSize events: a busy deadline day
// costs each append one small counter update and one push into a small bucket, never a
// rewrite of the whole day.
package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/db"
)

// Action names what was done; the API shows the code, pages its Label.
type Action string

// Actions recorded. Codes are stable: API clients and stored events use them.
const (
	Login            Action = "login"
	Logout           Action = "logout"
	AnswerSave       Action = "answer.save"
	EvidenceAdd      Action = "evidence.add"
	EvidenceRemove   Action = "evidence.remove"
	Submit           Action = "submit"
	ReviewStart      Action = "review.start"
	ReviewSave       Action = "review.save"
	ReviewApproveAll Action = "review.approve_all"
	FindingsSave     Action = "findings.save"
	Return           Action = "return"
	Finalize         Action = "finalize"
	Reopen           Action = "reopen"
	AssignmentPut    Action = "assignment.put"
	WeightsPut       Action = "weights.put"
	UserCreate       Action = "user.create"
	UserUpdate       Action = "user.update"
	UserPassword     Action = "user.password"
	UnitCreate       Action = "unit.create"
	UnitUpdate       Action = "unit.update"
	PeriodPut        Action = "period.put"
	Extension        Action = "extension"
	InstrumentAdd    Action = "instrument.add"
	Import           Action = "import"
	Backup           Action = "backup"
	SurveyCreate     Action = "survey.create"
	SurveyClose      Action = "survey.close"
	SurveyReopen     Action = "survey.reopen"
	SurveyInclude    Action = "survey.include"
	SurveyApply      Action = "survey.apply"
)

var labels = map[Action]string{
	Login: "Masuk", Logout: "Keluar", AnswerSave: "Menyimpan jawaban", EvidenceAdd: "Menambah bukti",
	EvidenceRemove: "Menghapus bukti", Submit: "Mengajukan penilaian", ReviewStart: "Memulai reviu",
	ReviewSave: "Menyimpan reviu indikator", ReviewApproveAll: "Menyetujui semua indikator yang belum dinilai",
	FindingsSave: "Menyimpan temuan dan rekomendasi", Return: "Mengembalikan untuk perbaikan",
	Finalize: "Memfinalkan penilaian", Reopen: "Membuka kembali penilaian final", AssignmentPut: "Mengubah penugasan evaluator",
	WeightsPut: "Mengubah bobot indeks komposit", UserCreate: "Membuat pengguna", UserUpdate: "Mengubah pengguna",
	UserPassword: "Mengganti kata sandi", UnitCreate: "Membuat unit", UnitUpdate: "Mengubah unit",
	PeriodPut: "Mengatur periode", Extension: "Memperpanjang batas waktu", InstrumentAdd: "Menambah instrumen",
	Import: "Mengimpor data", Backup: "Membuat cadangan",
	SurveyCreate: "Membuat survei publik", SurveyClose: "Menutup survei", SurveyReopen: "Membuka kembali survei",
	SurveyInclude: "Mengubah respons survei yang ditandai", SurveyApply: "Memasukkan hasil survei ke lembar kerja",
}

// Label is the action in Bahasa Indonesia.
func (a Action) Label() string {
	if l, ok := labels[a]; ok {
		return l
	}
	return string(a)
}

// Event is one recorded action. Target is what it touched (an assessment id such as
// "2026/zi-2021/sukamaju", a username, a unit code); Unit is the kecamatan concerned, when one
// is, so the log can be browsed per kecamatan.
type Event struct {
	At     time.Time `bson:"at" json:"at"`
	Actor  string    `bson:"actor" json:"actor"`
	Action Action    `bson:"action" json:"action"`
	Target string    `bson:"target" json:"target"`
	Unit   string    `bson:"unit,omitempty" json:"unit,omitempty"`
	Detail string    `bson:"detail,omitempty" json:"detail"`
}

// bucketSize bounds the events of one stored document.
const bucketSize = 100

// maxDetail bounds an event's detail (characters): the log says what happened, the data
// itself lives elsewhere.
const maxDetail = 500

// Log appends and reads events.
type Log struct {
	db   *db.DB
	coll *mongo.Collection
	zone func(context.Context) *time.Location
}

// New returns a Log on d. zone gives the kabupaten's time zone, in which days are cut (nil:
// WIB, UTC+7).
func New(d *db.DB, zone func(context.Context) *time.Location) *Log {
	if zone == nil {
		wib := time.FixedZone("WIB", 7*3600)
		zone = func(context.Context) *time.Location { return wib }
	}
	return &Log{db: d, coll: d.Collection("audit"), zone: zone}
}

// Day is the bucket id of t: its date in the kabupaten's zone, "2006-01-02".
func (l *Log) Day(ctx context.Context, t time.Time) string {
	return t.In(l.zone(ctx)).Format(time.DateOnly)
}

// head counts a day's events; bucket n holds events n*bucketSize+1 … (n+1)*bucketSize.
type head struct {
	ID string `bson:"_id"`
	N  int64  `bson:"n"`
}

func bucketID(day string, n int64) string { return fmt.Sprintf("%s/%04d", day, n) }

// Append records e: a counter update and a push into a small bucket, under the audit log's own
// lock (db.WriteFamily), so that recording a login never waits for the process-wide writer.
// Inside a db.Write, call it right after the change it records, in the same Write. On MongoDB
// the counter's $inc is atomic, so concurrent appends get distinct places.
func (l *Log) Append(ctx context.Context, e Event) (err error) {
	defer apperr.Wrap(&err, "audit.Append(%s)", e.Action)
	if e.At.IsZero() {
		return errors.New("event without time")
	}
	e.At = e.At.UTC()
	if r := []rune(e.Detail); len(r) > maxDetail {
		e.Detail = string(r[:maxDetail-1]) + "…"
	}
	day := l.Day(ctx, e.At)
	return l.db.WriteFamily(ctx, "audit", func(ctx context.Context) error {
		var h head
		err := l.coll.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: day}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: int64(1)}}}},
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&h)
		if err != nil {
			return err
		}
		_, err = l.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: bucketID(day, (h.N-1)/bucketSize)}},
			bson.D{{Key: "$push", Value: bson.D{{Key: "events", Value: e}}}}, options.UpdateOne().SetUpsert(true))
		return err
	})
}

// Record appends e on its own (not as part of another write): the same as Append.
func (l *Log) Record(ctx context.Context, e Event) error { return l.Append(ctx, e) }

// Filter narrows a day's events; empty fields match everything.
type Filter struct {
	Day   string // "2006-01-02", required
	Actor string
	Unit  string
}

// ParseDay checks a "2006-01-02" day. Errors: Invalid naming the field.
func ParseDay(s string) (string, error) {
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return "", apperr.New(apperr.Invalid, "Kolom day harus tanggal berformat TTTT-BB-HH, bukan %q.", s)
	}
	return s, nil
}

// List returns the events of f.Day matching f, oldest first. A day's buckets are read by
// _id, one by one: the embedded engine answers only _id lookups from an index.
func (l *Log) List(ctx context.Context, f Filter) (_ []Event, err error) {
	defer apperr.Wrap(&err, "audit.List(%s)", f.Day)
	if _, err := ParseDay(f.Day); err != nil {
		return nil, err
	}
	var h head
	err = l.coll.FindOne(ctx, bson.D{{Key: "_id", Value: f.Day}}).Decode(&h)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return []Event{}, nil
	} else if err != nil {
		return nil, err
	}
	out := []Event{}
	for n := int64(0); n <= (h.N-1)/bucketSize; n++ {
		var b struct {
			Events []Event `bson:"events"`
		}
		err := l.coll.FindOne(ctx, bson.D{{Key: "_id", Value: bucketID(f.Day, n)}}).Decode(&b)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue // counted but not yet pushed (a crash between the two writes)
		} else if err != nil {
			return nil, err
		}
		for _, e := range b.Events {
			if (f.Actor == "" || strings.EqualFold(e.Actor, f.Actor)) && (f.Unit == "" || e.Unit == f.Unit) {
				out = append(out, e)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Event) int { return a.At.Compare(b.At) })
	return out, nil
}
