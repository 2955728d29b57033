package web

import (
	"context"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/rapor-rb/raporrb/app/apperr"
)

// Failed logins are throttled two ways, neither of which lets a stranger lock a rightful user
// out:
//   - per client address: past LoginMaxPerAddress failures in LoginWindow, that address gets
//     429 until the window ends (Fiber's limiter);
//   - per account, from any address: past LoginMaxPerAccount failures in LoginWindow, every
//     further attempt on that account waits before its password is checked, 1 s doubling with
//     each failure up to LoginDelayMax. The rightful user still gets in, only slower, and a
//     success clears the account's count.
//
// The counts live in Config.Throttle, a fiber.Storage: process memory on the embedded engine,
// the database on MongoDB so that instances behind a balancer share them.

// loginDelayBase is the first delay once an account is past its free failures.
const loginDelayBase = time.Second

// loginDelay is the wait before checking a password for an account with failures failed
// logins in the window.
func (s *Server) loginDelay(failures int) time.Duration {
	over := failures - s.cfg.LoginMaxPerAccount
	if over < 0 {
		return 0
	}
	d := loginDelayBase
	for i := 0; i < over && d < s.cfg.LoginDelayMax; i++ {
		d *= 2
	}
	return min(d, s.cfg.LoginDelayMax)
}

func accountKey(username string) string {
	return "login/akun/" + strings.ToLower(strings.TrimSpace(username))
}

// accountFailures returns the failed logins recorded for username in the current window.
func (s *Server) accountFailures(username string) int {
	b, err := s.cfg.Throttle.Get(accountKey(username))
	if err != nil {
		return 0
	}
	n, err := strconv.Atoi(string(b))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// slowDown waits the delay the account's failures call for, or until ctx ends.
func (s *Server) slowDown(ctx context.Context, username string) error {
	d := s.loginDelay(s.accountFailures(username))
	if d == 0 {
		return nil
	}
	return s.cfg.Sleep(ctx, d)
}

// recordLogin counts a failure against the account, or clears its count on success. The
// window starts at the first failure. Storage errors are logged, never shown: the throttle
// must not turn a working login into an error.
func (s *Server) recordLogin(username string, ok bool) {
	key := accountKey(username)
	var err error
	if ok {
		err = s.cfg.Throttle.Delete(key)
	} else {
		err = s.cfg.Throttle.Set(key, []byte(strconv.Itoa(s.accountFailures(username)+1)), s.cfg.LoginWindow)
	}
	if err != nil {
		s.log.Warn("login throttle", "err", err)
	}
}

// perAddress answers 429 to an address past LoginMaxPerAddress failed logins in the window.
func (s *Server) perAddress() fiber.Handler {
	return limiter.New(limiter.Config{
		Max:                    s.cfg.LoginMaxPerAddress,
		Expiration:             s.cfg.LoginWindow,
		KeyGenerator:           func(c *fiber.Ctx) string { return "login/alamat/" + s.ClientIP(c) },
		SkipSuccessfulRequests: true,
		Storage:                s.cfg.Throttle,
		LimitReached: func(c *fiber.Ctx) error {
			return apperr.New(apperr.TooMany, "Terlalu banyak percobaan masuk yang gagal dari alamat ini. Coba lagi dalam %d menit.", int(s.cfg.LoginWindow/time.Minute))
		},
	})
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ParseTrustedProxies reads TRUSTED_PROXIES: addresses or CIDR ranges separated by commas.
func ParseTrustedProxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, err
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP is the address of the client: the peer, or, when the peer is a trusted proxy, the
// right-most address of X-Forwarded-For that is not itself a trusted proxy (the left-most
// ones are whatever the client wrote).
func (s *Server) ClientIP(c *fiber.Ctx) string {
	peer, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return c.Context().RemoteIP().String()
	}
	peer = peer.Unmap()
	if !s.trusted(peer) {
		return peer.String()
	}
	parts := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(parts) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(parts[i]))
		if err != nil {
			break
		}
		if !s.trusted(a) {
			return a.Unmap().String()
		}
	}
	return peer.String()
}

// secure reports whether cookies set on this response get the Secure flag: always with
// COOKIE_SECURE, and whenever the request came over HTTPS (directly, or as a trusted proxy's
// X-Forwarded-Proto says).
func (s *Server) secure(c *fiber.Ctx) bool {
	return s.cfg.CookieSecure || c.Protocol() == "https"
}

// memStorage is a fiber.Storage in process memory, for the embedded engine (one process by
// construction). It holds at most maxEntries keys: past that, expired ones are swept and, if
// none were, an arbitrary one is dropped, so a flood of distinct keys cannot grow it.
type memStorage struct {
	mu      sync.Mutex
	now     func() time.Time
	max     int
	entries map[string]memEntry
}

type memEntry struct {
	val []byte
	exp time.Time // zero: no expiry
}

// NewMemoryStorage returns a bounded in-memory fiber.Storage judged on now.
func NewMemoryStorage(maxEntries int, now func() time.Time) fiber.Storage {
	if now == nil {
		now = time.Now
	}
	return &memStorage{now: now, max: maxEntries, entries: map[string]memEntry{}}
}

func (m *memStorage) Get(key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok || (!e.exp.IsZero() && !m.now().Before(e.exp)) {
		return nil, nil
	}
	return append([]byte(nil), e.val...), nil
}

func (m *memStorage) Set(key string, val []byte, exp time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.entries[key]; !ok && len(m.entries) >= m.max {
		now := m.now()
		for k, e := range m.entries {
			if !e.exp.IsZero() && !now.Before(e.exp) {
				delete(m.entries, k)
			}
		}
		for k := range m.entries {
			if len(m.entries) < m.max {
				break
			}
			delete(m.entries, k)
		}
	}
	e := memEntry{val: append([]byte(nil), val...)}
	if exp > 0 {
		e.exp = m.now().Add(exp)
	}
	m.entries[key] = e
	return nil
}

func (m *memStorage) Delete(key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.entries, key)
	return nil
}

func (m *memStorage) Reset() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries = map[string]memEntry{}
	return nil
}

func (m *memStorage) Close() error { return nil }
