// Package audit keeps the append-only log of every state-changing action: who did what, to
// what, when. Events are stored in day buckets (DESIGN.md: `audit` {_id: "2026-11-23",
// events}), numbered so that no document grows past bucketSize events: a busy deadline day
// costs each append one push into a small bucket (and, on MongoDB, one counter update), never
// a rewrite of the whole day.
package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
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

// #nosec G101 -- labels of actions shown on pages ("Masuk" is sign-in), no credentials
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

// bucketSize bounds the events of one stored document. The embedded engine rewrites a whole
// document on every push, so a push costs in proportion to the bucket: measured 4.6 ms into
// buckets of 100, 1.2 ms into buckets of 16 (a save's own sheet write is ~8 ms). A day of
// 2,000 events is then 125 buckets, read by _id.
const bucketSize = 16

// maxDetail bounds an event's detail (characters): the log says what happened, the data
// itself lives elsewhere.
const maxDetail = 500

// Log appends and reads events.
type Log struct {
	db   *db.DB
	coll *mongo.Collection
	zone func(context.Context) *time.Location

	// pending are the appends waiting for the audit lock; whoever takes it writes them all
	// (group commit), so under a deadline rush twenty saves cost one counter update and one
	// push, not twenty of each.
	mu      sync.Mutex
	pending []*appending
	// counts are the events of each day, on the embedded engine only, where this process is
	// the only writer: there an append costs one push, and the day's head is written only when
	// a bucket opens (see write). Guarded by the audit lock.
	counts map[string]int64
}

// appending is one event waiting to be written; done receives the outcome.
type appending struct {
	day  string
	e    Event
	done chan error
}

// New returns a Log on d. zone gives the kabupaten's time zone, in which days are cut (nil:
// WIB, UTC+7).
func New(d *db.DB, zone func(context.Context) *time.Location) *Log {
	if zone == nil {
		wib := time.FixedZone("WIB", 7*3600)
		zone = func(context.Context) *time.Location { return wib }
	}
	l := &Log{db: d, coll: d.Collection("audit"), zone: zone}
	if d.Embedded {
		l.counts = map[string]int64{}
	}
	return l
}

// Day is the bucket id of t: its date in the kabupaten's zone, "2006-01-02".
func (l *Log) Day(ctx context.Context, t time.Time) string {
	return t.In(l.zone(ctx)).Format(time.DateOnly)
}

// head counts a day's events; bucket n holds events n*bucketSize+1 … (n+1)*bucketSize. On
// MongoDB N is the exact count ($inc per append, atomic across instances); on the embedded
// engine it is the first place of the day's last bucket, written when that bucket opens, and
// the exact count lives in memory (Log.counts) and in the last bucket's length.
type head struct {
	ID string `bson:"_id"`
	N  int64  `bson:"n"`
}

func bucketID(day string, n int64) string { return fmt.Sprintf("%s/%04d", day, n) }

// Append records e (see AppendAll).
func (l *Log) Append(ctx context.Context, e Event) error { return l.AppendAll(ctx, []Event{e}) }

// AppendAll records events: a counter update and a push into a small bucket, under the audit
// log's own lock (db.WriteFamily), so that recording a login never waits for the process-wide
// writer. Appends that arrive while another is writing are written together by the next holder
// of the lock, and each returns once its own events are stored (or failed). On MongoDB the
// counter's $inc is atomic, so concurrent appends from several instances get distinct places.
func (l *Log) AppendAll(ctx context.Context, events []Event) (err error) {
	if len(events) == 0 {
		return nil
	}
	defer apperr.Wrap(&err, "audit.Append(%s)", events[0].Action)
	mine := make([]*appending, len(events))
	for i, e := range events {
		if e.At.IsZero() {
			return errors.New("event without time")
		}
		e.At = e.At.UTC()
		if r := []rune(e.Detail); len(r) > maxDetail {
			e.Detail = string(r[:maxDetail-1]) + "…"
		}
		mine[i] = &appending{day: l.Day(ctx, e.At), e: e, done: make(chan error, 1)}
	}
	l.mu.Lock()
	l.pending = append(l.pending, mine...)
	l.mu.Unlock()
	err = l.db.WriteFamily(ctx, "audit", func(ctx context.Context) error {
		l.mu.Lock()
		batch := l.pending
		l.pending = nil
		l.mu.Unlock()
		// The batch is written whole even if the caller that took it gives up: the others wait.
		err := l.write(context.WithoutCancel(ctx), batch)
		for _, a := range batch {
			a.done <- err
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, a := range mine { // written by this call or by the holder of the lock before it
		if err := <-a.done; err != nil {
			return err
		}
	}
	return nil
}

// write stores a batch of events: per day, one counter update reserving their places, then
// one push per bucket they fall into.
func (l *Log) write(ctx context.Context, batch []*appending) error {
	days := map[string][]Event{}
	var order []string
	for _, a := range batch {
		if _, ok := days[a.day]; !ok {
			order = append(order, a.day)
		}
		days[a.day] = append(days[a.day], a.e)
	}
	for _, day := range order {
		events := days[day]
		last, err := l.reserve(ctx, day, int64(len(events)))
		if err != nil {
			return err
		}
		// The events hold places last-len+1 … last; place p (1-based) lives in bucket (p-1)/bucketSize.
		for first := last - int64(len(events)) + 1; len(events) > 0; {
			n := (first - 1) / bucketSize
			k := min(int64(len(events)), (n+1)*bucketSize-first+1)
			if l.counts != nil && (first-1)%bucketSize == 0 { // a bucket opens: List must reach it
				if _, err := l.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: day}}, bson.D{{Key: "$set", Value: bson.D{{Key: "n", Value: first}}}},
					options.UpdateOne().SetUpsert(true)); err != nil {
					return err
				}
			}
			_, err = l.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: bucketID(day, n)}},
				bson.D{{Key: "$push", Value: bson.D{{Key: "events", Value: bson.D{{Key: "$each", Value: events[:k]}}}}}}, options.UpdateOne().SetUpsert(true))
			if err != nil {
				return err
			}
			events, first = events[k:], first+k
		}
	}
	return nil
}

// reserve takes k places in day's log and returns the last of them.
func (l *Log) reserve(ctx context.Context, day string, k int64) (int64, error) {
	if l.counts == nil { // MongoDB: the counter is the truth, shared by every instance
		var h head
		err := l.coll.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: day}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: k}}}},
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&h)
		return h.N, err
	}
	n, ok := l.counts[day]
	if !ok { // first append of the day in this process: count what is stored
		var err error
		if n, err = l.stored(ctx, day); err != nil {
			return 0, err
		}
	}
	n += k
	l.counts[day] = n
	return n, nil
}

// stored counts the events stored for day on the embedded engine: the places before its last
// bucket and that bucket's events.
func (l *Log) stored(ctx context.Context, day string) (int64, error) {
	var h head
	err := l.coll.FindOne(ctx, bson.D{{Key: "_id", Value: day}}).Decode(&h)
	if errors.Is(err, mongo.ErrNoDocuments) || (err == nil && h.N == 0) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	last := (h.N - 1) / bucketSize
	var b struct {
		Events []bson.Raw `bson:"events"`
	}
	err = l.coll.FindOne(ctx, bson.D{{Key: "_id", Value: bucketID(day, last)}}).Decode(&b)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return 0, err
	}
	return last*bucketSize + int64(len(b.Events)), nil
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
		return "", apperr.InField("day", "Tanggal harus berformat TTTT-BB-HH, bukan %q.", s)
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
