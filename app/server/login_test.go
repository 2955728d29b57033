package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/web"
)

// The login throttle slows an account down and limits an address; it never locks a rightful
// user out (issue 13, defect 3). Its waits are recorded, not slept.

type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return nil
}

func (s *sleeps) take() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.d
	s.d = nil
	return out
}

// throttleServer trusts App.Test's peer as a proxy, so each request's X-Forwarded-For is its
// client address.
func throttleServer(t *testing.T, sl *sleeps) *web.Server {
	proxies, err := web.ParseTrustedProxies("0.0.0.0, ::/128")
	if err != nil {
		t.Fatal(err)
	}
	return newServer(t, web.Config{LoginMaxPerAccount: 3, LoginMaxPerAddress: 5, LoginWindow: time.Minute,
		LoginDelayMax: 8 * time.Second, Sleep: sl.sleep, TrustedProxies: proxies})
}

func apiLogin(t *testing.T, srv *web.Server, from, username, password string) int {
	t.Helper()
	req := httptest.NewRequest("POST", "/api/v1/auth/login", strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, username, password)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", "10.9.9.9, "+from) // the left-most is the client's own claim
	resp, err := srv.App.Test(req, 30_000)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestLoginFailuresSlowTheAccountNeverLockIt(t *testing.T) {
	sl := &sleeps{}
	srv := throttleServer(t, sl)
	// Ten wrong passwords for bupati from five addresses, two each: no address reaches its
	// limit, and the account is never refused.
	for i := range 10 {
		from := fmt.Sprintf("203.0.113.%d", i/2+1)
		if st := apiLogin(t, srv, from, "bupati", "salah"); st != 401 {
			t.Fatalf("attempt %d from %s = %d, want 401", i, from, st)
		}
	}
	s := time.Second
	want := []time.Duration{s, 2 * s, 4 * s, 8 * s, 8 * s, 8 * s, 8 * s} // after 3 free failures, doubling to the cap
	if got := sl.take(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
	// The rightful bupati, from the office, gets in (after the longest wait) ...
	if st := apiLogin(t, srv, "198.51.100.7", "bupati", demoPassword); st != 200 {
		t.Fatalf("rightful login during the attack = %d, want 200", st)
	}
	if got := sl.take(); fmt.Sprint(got) != fmt.Sprint([]time.Duration{8 * s}) {
		t.Errorf("rightful login waited %v, want [8s]", got)
	}
	// ... and that success clears the account's count.
	if st := apiLogin(t, srv, "203.0.113.9", "bupati", "salah"); st != 401 {
		t.Fatalf("after the reset = %d", st)
	}
	if got := sl.take(); len(got) != 0 {
		t.Errorf("first failure after a success waited %v", got)
	}

	// The same on the page: admin's attacker fails five times from five addresses, admin
	// signs in through the form.
	for i := range 5 {
		if st := apiLogin(t, srv, fmt.Sprintf("192.0.2.%d", i+1), "admin", "salah"); st != 401 {
			t.Fatalf("admin attempt %d = %d", i, st)
		}
	}
	p := &page{t: t, srv: srv, cookies: map[string]*http.Cookie{}}
	_, body := p.do("GET", "/masuk", nil)
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no token on the login page")
	}
	resp, _ := p.do("POST", "/masuk", url.Values{"_csrf": {m[1]}, "username": {"admin"}, "password": {demoPassword}})
	if resp.StatusCode != 303 {
		t.Fatalf("admin's page login after 5 failures = %d, want 303", resp.StatusCode)
	}
}

func TestLoginLimitedPerAddress(t *testing.T) {
	sl := &sleeps{}
	srv := throttleServer(t, sl)
	// One address, five accounts, one failure each: the sixth attempt from it is 429 even
	// with a right password; another address is not affected.
	for i, u := range []string{"admin", "bupati", "inspektur", "evaluator2", "camat.sukamaju"} {
		if st := apiLogin(t, srv, "203.0.113.50", u, "salah"); st != 401 {
			t.Fatalf("attempt %d = %d", i, st)
		}
	}
	if st := apiLogin(t, srv, "203.0.113.50", "bupati", demoPassword); st != 429 {
		t.Errorf("sixth attempt from one address = %d, want 429", st)
	}
	if st := apiLogin(t, srv, "203.0.113.51", "bupati", demoPassword); st != 200 {
		t.Errorf("another address = %d, want 200", st)
	}
	if got := sl.take(); len(got) != 0 {
		t.Errorf("no account passed its free failures, yet waits %v", got)
	}
}

func TestClientIPBehindTrustedProxies(t *testing.T) {
	proxies, err := web.ParseTrustedProxies("10.0.0.0/8, 192.168.1.1")
	if err != nil {
		t.Fatal(err)
	}
	if want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.1/32")}; fmt.Sprint(proxies) != fmt.Sprint(want) {
		t.Errorf("parsed %v, want %v", proxies, want)
	}
	if _, err := web.ParseTrustedProxies("10.0.0.0/8, bukan-alamat"); err == nil {
		t.Error("a bad TRUSTED_PROXIES entry was accepted")
	}
}
