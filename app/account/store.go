package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/db"
)

// Store keeps users and sessions.
type Store struct {
	db       *db.DB
	users    *mongo.Collection
	sessions *mongo.Collection
	now      func() time.Time
	// live remembers the users of live sessions between requests, on the embedded engine only
	// (nil on MongoDB, where another instance's logout must count at once): an entry holds
	// while this process has written neither sessions nor users since it was read.
	live *lru.Cache[string, liveSession]
}

// liveSession is a session's user as read, and when it was read (db.Generation).
type liveSession struct {
	user    User
	expires time.Time
	gen     uint64
}

// liveSessions bounds the sessions remembered; a miss costs the two reads it always did.
const liveSessions = 10_000

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store {
	s := &Store{db: d, users: d.Collection("users"), sessions: d.Collection("sessions"), now: time.Now}
	if d.Embedded {
		s.live, _ = lru.New[string, liveSession](liveSessions) // only a size ≤ 0 fails
	}
	return s
}

// WithClock makes the store judge session expiry (and stamp creation times) by now instead
// of time.Now, so that a server on an injected clock agrees with itself. It returns s.
func (s *Store) WithClock(now func() time.Time) *Store {
	if now != nil {
		s.now = now
	}
	return s
}

// EnsureIndexes creates the indexes the store's filters use (the embedded engine ignores
// them for queries but accepts them; MongoDB uses them).
func (s *Store) EnsureIndexes(ctx context.Context) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		if _, err := s.users.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "unit", Value: 1}}}); err != nil {
			return err
		}
		_, err := s.sessions.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "expires", Value: 1}}})
		return err
	})
}

// Put creates or replaces a user. Errors: Invalid.
func (s *Store) Put(ctx context.Context, u User) (err error) {
	defer apperr.Wrap(&err, "account.Put(%s)", u.Username)
	if !ValidUsername(u.Username) {
		return apperr.New(apperr.Invalid, "Nama pengguna %q tidak valid: gunakan huruf kecil, angka, titik atau tanda hubung.", u.Username)
	}
	if !u.Role.Valid() {
		return apperr.New(apperr.Invalid, "Peran %q tidak dikenal.", u.Role)
	}
	if (u.Role == Staf || u.Role == Camat) && u.Unit == "" {
		return apperr.New(apperr.Invalid, "Pengguna dengan peran %s harus terhubung ke unit kerja.", u.Role.Label())
	}
	if u.Created.IsZero() {
		u.Created = s.now().UTC()
	}
	return s.db.Put(ctx, "users", u.Username, u)
}

// ByUsername returns one user. Errors: NotFound.
func (s *Store) ByUsername(ctx context.Context, username string) (_ *User, err error) {
	defer apperr.Wrap(&err, "account.ByUsername(%s)", username)
	var u User
	err = s.users.FindOne(ctx, bson.D{{Key: "_id", Value: username}}).Decode(&u)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, apperr.New(apperr.NotFound, "Pengguna tidak ditemukan.")
	} else if err != nil {
		return nil, err
	}
	return &u, nil
}

// List returns every user, sorted by username.
func (s *Store) List(ctx context.Context) (_ []User, err error) {
	defer apperr.Wrap(&err, "account.List")
	cur, err := s.users.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var out []User
	return out, cur.All(ctx, &out)
}

// Count returns the number of users; zero means a database that was never seeded.
func (s *Store) Count(ctx context.Context) (int64, error) {
	return s.users.CountDocuments(ctx, bson.D{})
}

// ErrBadCredentials is the one answer to a failed login: it never says whether the user exists.
var ErrBadCredentials = apperr.New(apperr.Unauthorized, "Nama pengguna atau kata sandi salah.")

// Authenticate checks a username and password. Errors: Unauthorized (ErrBadCredentials).
func (s *Store) Authenticate(ctx context.Context, username, password string) (*User, error) {
	u, err := s.ByUsername(ctx, username)
	if apperr.Is(err, apperr.NotFound) || (err == nil && u.Disabled) {
		_, _ = CheckPassword(dummyHash, password) // same cost as a real check
		return nil, ErrBadCredentials
	} else if err != nil {
		return nil, err
	}
	ok, err := CheckPassword(u.PasswordHash, password)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrBadCredentials
	}
	return u, nil
}

// SessionKind tells a browser session from an API bearer token.
type SessionKind string

// Session kinds.
const (
	WebSession SessionKind = "web"
	APIToken   SessionKind = "api"
)

// Session is a signed-in browser or API client. Only the token's hash is stored, so a leaked
// database does not hand out live sessions.
type Session struct {
	ID      string      `bson:"_id"`
	User    string      `bson:"user"`
	Kind    SessionKind `bson:"kind"`
	Created time.Time   `bson:"created"`
	Expires time.Time   `bson:"expires"`
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewSession stores a session for user and returns the token to hand to the client.
func (s *Store) NewSession(ctx context.Context, user string, kind SessionKind, ttl time.Duration) (token string, err error) {
	defer apperr.Wrap(&err, "account.NewSession(%s)", user)
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	now := s.now().UTC()
	sess := Session{ID: hashToken(token), User: user, Kind: kind, Created: now, Expires: now.Add(ttl)}
	// No writer lock: inserting a document under a fresh random id reads nothing and races
	// with nothing, so a login never queues behind a rush of answer saves.
	_, err = s.sessions.InsertOne(ctx, sess)
	return token, err
}

// UserForToken returns the user of a live session. Errors: Unauthorized.
func (s *Store) UserForToken(ctx context.Context, token string) (_ *User, err error) {
	if token == "" || len(token) > 128 {
		return nil, apperr.New(apperr.Unauthorized, "Sesi tidak valid.")
	}
	id := hashToken(token)
	// Every page and API call asks this; on the embedded engine the answer is kept until this
	// process writes a session or a user (a login, a logout, an account change), read first.
	gen := s.db.Generation("sessions", "users")
	if s.live != nil {
		if e, ok := s.live.Get(id); ok && e.gen == gen && !s.now().After(e.expires) {
			u := e.user
			return &u, nil
		}
	}
	var sess Session
	err = s.sessions.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&sess)
	if errors.Is(err, mongo.ErrNoDocuments) || (err == nil && s.now().After(sess.Expires)) {
		return nil, apperr.New(apperr.Unauthorized, "Sesi telah berakhir. Silakan masuk kembali.")
	} else if err != nil {
		return nil, err
	}
	u, err := s.ByUsername(ctx, sess.User)
	if apperr.Is(err, apperr.NotFound) || (err == nil && u.Disabled) {
		return nil, apperr.New(apperr.Unauthorized, "Akun tidak aktif.")
	}
	if err == nil && s.live != nil {
		s.live.Add(id, liveSession{user: *u, expires: sess.Expires, gen: gen})
	}
	return u, err
}

// EndSession removes the session of token (logout).
// A single delete by _id reads and judges nothing, so it takes no writer lock.
func (s *Store) EndSession(ctx context.Context, token string) error {
	_, err := s.sessions.DeleteOne(ctx, bson.D{{Key: "_id", Value: hashToken(token)}})
	return err
}

// PurgeExpired deletes expired sessions. The app calls it periodically because the embedded
// engine has no TTL indexes.
func (s *Store) PurgeExpired(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.Write(ctx, func(ctx context.Context) error {
		r, err := s.sessions.DeleteMany(ctx, bson.D{{Key: "expires", Value: bson.D{{Key: "$lt", Value: s.now().UTC()}}}})
		if err == nil {
			n = r.DeletedCount
		}
		return err
	})
	return n, err
}

// EndAllSessions removes every session and API token of user ("keluar dari semua perangkat").
// A filter on a field other than _id: the embedded engine scans the sessions, which is fine
// for an action a person takes by hand.
func (s *Store) EndAllSessions(ctx context.Context, user string) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		_, err := s.sessions.DeleteMany(ctx, bson.D{{Key: "user", Value: user}})
		return err
	})
}

// Secret returns the random secret called name (32 bytes), creating it on first use. It lives
// in the database (collection secrets), so every instance on one database shares it: the CSRF
// key is one.
func (s *Store) Secret(ctx context.Context, name string) (_ []byte, err error) {
	defer apperr.Wrap(&err, "account.Secret(%s)", name)
	coll := s.db.Collection("secrets")
	var doc struct {
		Value []byte `bson:"value"`
	}
	read := func() error { return coll.FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&doc) }
	err = read()
	if err == nil && len(doc.Value) >= 32 {
		return doc.Value, nil
	} else if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(ctx context.Context) error {
		// Under the write lock on the embedded engine; on MongoDB two instances starting
		// together both insert, one wins (duplicate key) and both then read the winner's.
		if err := read(); err == nil && len(doc.Value) >= 32 {
			return nil
		}
		_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: name}, {Key: "value", Value: b}})
		if mongo.IsDuplicateKeyError(err) {
			return read()
		}
		if err == nil {
			doc.Value = b
		}
		return err
	})
	return doc.Value, err
}
