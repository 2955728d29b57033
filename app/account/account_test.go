package account

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/dbtest"
)

var engine *db.DB

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, &engine)) }

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("kata sandi rahasia")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash = %s", h)
	}
	h2, _ := HashPassword("kata sandi rahasia")
	if h == h2 {
		t.Error("two hashes of one password are equal: salt missing")
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{"kata sandi rahasia", true}, {"kata sandi rahasiA", false}, {"", false}} {
		if ok, err := CheckPassword(h, tc.pw); err != nil || ok != tc.want {
			t.Errorf("CheckPassword(%q) = %v, %v", tc.pw, ok, err)
		}
	}
	if _, err := CheckPassword("$2a$10$bcrypt", "x"); err == nil {
		t.Error("a foreign hash format was accepted")
	}
}

// Decide is DESIGN.md's authorization table; each row here is one cell of it.
func TestDecideFollowsTheTable(t *testing.T) {
	staf := &User{Username: "s", Role: Staf, Unit: "a"}
	camat := &User{Username: "c", Role: Camat, Unit: "a"}
	ev := &User{Username: "e", Role: Evaluator}
	bupati := &User{Username: "b", Role: Pimpinan}
	admin := &User{Username: "adm", Role: Admin}
	own, other := Object{Unit: "a"}, Object{Unit: "b"}
	assigned := Object{Unit: "b", Assigned: true}
	for _, tc := range []struct {
		name string
		u    *User
		act  Action
		obj  Object
		want apperr.Kind // "" = allowed
	}{
		{"staf answers own", staf, Answer, own, ""},
		{"staf reads own", staf, Read, own, ""},
		{"staf cannot submit", staf, Submit, own, apperr.Forbidden},
		{"staf cannot read other", staf, Read, other, apperr.Forbidden},
		{"camat submits own", camat, Submit, own, ""},
		{"camat cannot submit other", camat, Submit, other, apperr.Forbidden},
		{"camat cannot answer other", camat, Answer, other, apperr.Forbidden},
		{"camat cannot review", camat, Review, own, apperr.Forbidden},
		{"camat cannot see rankings", camat, Rankings, Object{}, apperr.Forbidden},
		{"evaluator reads assigned", ev, Read, assigned, ""},
		{"evaluator reviews assigned", ev, Review, assigned, ""},
		{"evaluator cannot read unassigned", ev, Read, other, apperr.Forbidden},
		{"evaluator cannot answer", ev, Answer, assigned, apperr.Forbidden},
		{"pimpinan reads all", bupati, Read, other, ""},
		{"pimpinan sees rankings", bupati, Rankings, Object{}, ""},
		{"pimpinan exports", bupati, Export, other, ""},
		{"pimpinan cannot answer", bupati, Answer, other, apperr.Forbidden},
		{"pimpinan cannot review", bupati, Review, other, apperr.Forbidden},
		{"pimpinan cannot manage", bupati, Manage, Object{}, apperr.Forbidden},
		{"admin manages", admin, Manage, Object{}, ""},
		{"admin reopens", admin, Reopen, other, ""},
		{"admin never answers", admin, Answer, other, apperr.Forbidden},
		{"admin never submits", admin, Submit, other, apperr.Forbidden},
		{"anonymous", nil, Read, own, apperr.Unauthorized},
		{"disabled user", &User{Role: Admin, Disabled: true}, Read, own, apperr.Unauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Decide(tc.u, tc.act, tc.obj)
			if tc.want == "" && err != nil {
				t.Errorf("denied: %v", err)
			}
			if tc.want != "" && apperr.KindOf(err) != tc.want {
				t.Errorf("got %v, want %s", err, tc.want)
			}
			if err != nil && apperr.Message(err) == "" {
				t.Error("denial without a message")
			}
		})
	}
}

func TestPolicyAllows(t *testing.T) {
	camat := &User{Role: Camat, Unit: "a"}
	if !PublicAccess.Allows(nil) || SignedIn.Allows(nil) || !SignedIn.Allows(camat) {
		t.Error("public / signed-in gates wrong")
	}
	if !UnitMembers.Allows(camat) || Leaders.Allows(camat) || AdminsOnly.Allows(camat) {
		t.Error("role gates wrong for camat")
	}
	if SignedIn.Allows(&User{Role: Admin, Disabled: true}) {
		t.Error("a disabled user passes")
	}
}

func TestStoreAuthenticateAndSessions(t *testing.T) {
	ctx := context.Background()
	s := NewStore(dbtest.Fresh(t, engine))
	h, _ := HashPassword("benar")
	if err := s.Put(ctx, User{Username: "camat.a", Name: "Camat A", Role: Camat, Unit: "a", PasswordHash: h}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []User{
		{Username: "$where", Role: Admin},
		{Username: "Bukan Valid", Role: Admin},
		{Username: "x.y", Role: "raja"},
		{Username: "tanpa.unit", Role: Staf},
	} {
		if err := s.Put(ctx, bad); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Put(%+v) = %v, want Invalid", bad, err)
		}
	}
	_, errWrong := s.Authenticate(ctx, "camat.a", "salah")
	_, errNone := s.Authenticate(ctx, "tidak.ada", "salah")
	if errWrong == nil || errNone == nil || apperr.Message(errWrong) != apperr.Message(errNone) {
		t.Errorf("wrong password %v and unknown user %v must fail alike", errWrong, errNone)
	}
	u, err := s.Authenticate(ctx, "camat.a", "benar")
	if err != nil || u.Unit != "a" {
		t.Fatalf("Authenticate = %v, %v", u, err)
	}

	token, err := s.NewSession(ctx, "camat.a", WebSession, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.UserForToken(ctx, token); err != nil || got.Username != "camat.a" {
		t.Fatalf("UserForToken = %v, %v", got, err)
	}
	// The database holds only the token's hash.
	var stored Session
	if err := s.sessions.FindOne(ctx, map[string]any{"user": "camat.a"}).Decode(&stored); err != nil || stored.ID == token {
		t.Errorf("stored session id = %q (token %q), %v", stored.ID, token, err)
	}
	// Expired sessions stop working and are purged.
	s.now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	if _, err := s.UserForToken(ctx, token); !apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("expired session = %v", err)
	}
	if n, err := s.PurgeExpired(ctx); err != nil || n != 1 {
		t.Errorf("PurgeExpired = %d, %v", n, err)
	}
	s.now = time.Now
	token2, _ := s.NewSession(ctx, "camat.a", APIToken, time.Hour)
	if err := s.EndSession(ctx, token2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UserForToken(ctx, token2); !apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("ended session = %v", err)
	}
}

// TestLiveSessionsFollowWrites: on the embedded engine a session's user is remembered between
// requests, yet a logout, a logout everywhere, a disabled account, a renamed user and the
// session's expiry all count on the very next request.
func TestLiveSessionsFollowWrites(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Fresh(t, engine)
	s := NewStore(d)
	h, _ := HashPassword("benar")
	if err := s.Put(ctx, User{Username: "camat.a", Name: "Camat A", Role: Camat, Unit: "a", PasswordHash: h}); err != nil {
		t.Fatal(err)
	}
	session := func() string {
		t.Helper()
		tok, err := s.NewSession(ctx, "camat.a", WebSession, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second is answered from memory on the embedded engine
			if u, err := s.UserForToken(ctx, tok); err != nil || u.Username != "camat.a" {
				t.Fatalf("UserForToken = %v, %v", u, err)
			}
		}
		return tok
	}
	refused := func(what, tok string) {
		t.Helper()
		if _, err := s.UserForToken(ctx, tok); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("after %s: UserForToken = %v, want Unauthorized", what, err)
		}
	}
	tok := session()
	if d.Embedded && s.live.Len() == 0 {
		t.Error("the embedded engine remembers no session")
	}
	if err := s.EndSession(ctx, tok); err != nil {
		t.Fatal(err)
	}
	refused("a logout", tok)

	tok = session()
	if err := s.EndAllSessions(ctx, "camat.a"); err != nil {
		t.Fatal(err)
	}
	refused("a logout everywhere", tok)

	tok = session()
	name := "Camat Baru"
	if _, err := s.Update(ctx, "camat.a", UserPatch{Name: &name}, nil); err != nil {
		t.Fatal(err)
	}
	if u, err := s.UserForToken(ctx, tok); err != nil || u.Name != name {
		t.Errorf("after a rename: %v, %v", u, err)
	}
	tok = session()
	s.now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	refused("the expiry", tok)
	s.now = time.Now

	tok = session()
	yes := true
	if _, err := s.Update(ctx, "camat.a", UserPatch{Disabled: &yes}, nil); err != nil {
		t.Fatal(err)
	}
	refused("disabling the account", tok)
}

// A NIP is 18 digits, spaces allowed between its groups; none is fine (not every user is a
// civil servant).
func TestCheckNIP(t *testing.T) {
	base := User{Username: "staf.uji", Name: "Staf Uji", Role: Staf, Unit: "alpha"}
	for _, tc := range []struct {
		nip string
		ok  bool
	}{
		{"", true},
		{"198701012010011001", true},
		{"19870101 201001 1 001", true},
		{"1987abc", false},
		{"19870101201001100", false},   // 17 digits
		{"1987010120100110011", false}, // 19 digits
		{"19870101-201001-1-001", false},
	} {
		u := base
		u.NIP = tc.nip
		err := u.Check()
		if (err == nil) != tc.ok || (err != nil && apperr.FieldOf(err) != "nip") {
			t.Errorf("NIP %q: %v, want ok=%v (field nip)", tc.nip, err, tc.ok)
		}
	}
}
