package main

import (
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rapor-rb/raporrb/app/web"
)

// config is every setting of the server, read from the environment (documented in
// .env.example and the README).
type config struct {
	Addr           string
	MongoURI       string
	DataDir        string
	ExposeAddr     string
	Sync           string
	VendorDir      string
	DemoPassword   string
	SeedDemo       bool
	CookieSecure   bool
	SessionTTL     time.Duration
	UploadMaxMB    int
	LoginMaxPerAcc int
	LoginMaxPerIP  int
	LoginDelayMax  time.Duration
	TrustedProxies []netip.Prefix
	LogLevel       slog.Level
	// PublicURL is where citizens reach the app (the public survey's QR code and poster).
	PublicURL string
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		Addr:         or(getenv("ADDR"), "127.0.0.1:8080"),
		MongoURI:     getenv("MONGODB_URI"),
		DataDir:      or(getenv("DATA_DIR"), "./data"),
		ExposeAddr:   getenv("EMBEDDED_MONGO_ADDR"),
		Sync:         strings.ToLower(or(getenv("EMBEDDED_SYNC"), "normal")),
		VendorDir:    or(getenv("VENDOR_DIR"), "./public/vendor"),
		DemoPassword: getenv("DEMO_PASSWORD"),
		PublicURL:    strings.TrimRight(getenv("PUBLIC_URL"), "/"),
	}
	var err error
	if c.SeedDemo, err = parseBool(getenv, "SEED_DEMO", true); err != nil {
		return c, err
	}
	if c.CookieSecure, err = parseBool(getenv, "COOKIE_SECURE", false); err != nil {
		return c, err
	}
	if c.SessionTTL, err = time.ParseDuration(or(getenv("SESSION_TTL"), "12h")); err != nil || c.SessionTTL < time.Minute {
		return c, fmt.Errorf("SESSION_TTL must be a duration of at least 1m (e.g. 12h), got %q", getenv("SESSION_TTL"))
	}
	for _, n := range []struct {
		key  string
		def  string
		dest *int
	}{{"UPLOAD_MAX_MB", "20", &c.UploadMaxMB}, {"LOGIN_MAX_PER_ACCOUNT", "5", &c.LoginMaxPerAcc}, {"LOGIN_MAX_PER_ADDRESS", "20", &c.LoginMaxPerIP}} {
		v, err := strconv.Atoi(or(getenv(n.key), n.def))
		if err != nil || v < 1 {
			return c, fmt.Errorf("%s must be a positive number, got %q", n.key, getenv(n.key))
		}
		*n.dest = v
	}
	if c.LoginDelayMax, err = time.ParseDuration(or(getenv("LOGIN_DELAY_MAX"), "10s")); err != nil || c.LoginDelayMax < time.Second || c.LoginDelayMax > time.Minute {
		return c, fmt.Errorf("LOGIN_DELAY_MAX must be a duration from 1s to 1m (e.g. 10s), got %q", getenv("LOGIN_DELAY_MAX"))
	}
	if c.TrustedProxies, err = web.ParseTrustedProxies(getenv("TRUSTED_PROXIES")); err != nil {
		return c, fmt.Errorf("TRUSTED_PROXIES must be addresses or CIDR ranges separated by commas (10.0.0.0/8,192.168.1.10), got %q", getenv("TRUSTED_PROXIES"))
	}
	if u, err := url.Parse(c.PublicURL); c.PublicURL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "") {
		return c, fmt.Errorf("PUBLIC_URL must be an address such as https://rapor.kab-contoh.go.id (scheme and host only), got %q", getenv("PUBLIC_URL"))
	}
	if c.Sync != "normal" && c.Sync != "full" {
		return c, fmt.Errorf("EMBEDDED_SYNC must be normal or full, got %q", getenv("EMBEDDED_SYNC"))
	}
	if err := c.LogLevel.UnmarshalText([]byte(or(getenv("LOG_LEVEL"), "info"))); err != nil {
		return c, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error, got %q", getenv("LOG_LEVEL"))
	}
	if c.ExposeAddr != "" && !strings.HasPrefix(c.ExposeAddr, "127.") && !strings.HasPrefix(c.ExposeAddr, "localhost:") && !strings.HasPrefix(c.ExposeAddr, "[::1]:") {
		return c, fmt.Errorf("EMBEDDED_MONGO_ADDR must be a loopback address (127.0.0.1:27017), got %q: the embedded engine has no authentication", c.ExposeAddr)
	}
	return c, nil
}

func parseBool(getenv func(string) string, key string, def bool) (bool, error) {
	v := getenv(key)
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s must be true or false, got %q", key, v)
	}
	return b, nil
}
