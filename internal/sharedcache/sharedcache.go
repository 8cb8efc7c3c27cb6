// Package sharedcache is what the replicas of one deployment share in Redis or Valkey
// (OPSCTX_CACHE_URL): the data every replica fetched, under each kind's TTL; a short lock per
// key, so that replicas asking the same thing at once reach the upstream once; and each
// upstream's 429 cool-down, so that a rate limit one replica met holds the others. It
// implements cache.Shared and httpx.Cooldowns.
//
// The shared cache never fails an answer: every command has a short timeout, and after a
// failure the store answers "unavailable" at once for a few seconds (then tries again), so
// callers go straight to the upstreams. The outage and the recovery are logged once each.
package sharedcache

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Defaults of Options.
const (
	DefaultTimeout = 500 * time.Millisecond
	DefaultBackoff = 2 * time.Second
)

// ErrUnavailable is returned while the store is known to be unreachable.
var ErrUnavailable = errors.New("shared cache unavailable")

// Options configure a Store.
type Options struct {
	// URL is redis://[user:password@]host:port/db or rediss://… (TLS).
	URL string
	// Namespace prefixes every key: replicas with the same sources share it, other
	// configurations on the same Redis never read each other's data.
	Namespace string
	// Timeout bounds every command (default DefaultTimeout).
	Timeout time.Duration
	// Backoff is how long the store answers ErrUnavailable after a failure before it tries
	// Redis again (default DefaultBackoff).
	Backoff time.Duration
	Logger  *slog.Logger
}

// Store is the shared cache in one Redis database. It is safe for concurrent use.
type Store struct {
	o      Options
	rdb    *redis.Client
	prefix string

	mu      sync.Mutex
	downTil time.Time // ErrUnavailable until then
	down    bool      // the outage is logged
	lastErr error
}

// Open returns a Store for o.URL; it does not connect before the first command. The error
// never holds the URL (it may hold a password).
func Open(o Options) (*Store, error) {
	opt, err := redis.ParseURL(o.URL)
	if err != nil {
		return nil, errors.New("shared cache: the URL is not a valid redis:// or rediss:// URL")
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultBackoff
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = o.Timeout, o.Timeout, o.Timeout
	opt.MaxRetries = -1 // a failed command is answered from the upstream, not retried
	quietOnce.Do(func() { redis.SetLogger(quiet{}) })
	return &Store{o: o, rdb: redis.NewClient(opt), prefix: "opsctx:" + o.Namespace + ":"}, nil
}

// quiet is go-redis's logger: nothing. The store logs an outage and the recovery itself,
// once each, where go-redis would print every failed dial to stderr.
type quiet struct{}

// Printf drops the message.
func (quiet) Printf(context.Context, string, ...any) {}

var quietOnce sync.Once

// Close closes the connections.
func (s *Store) Close() error { return s.rdb.Close() }

// Addr returns host:port of the Redis server, for logs.
func (s *Store) Addr() string { return s.rdb.Options().Addr }

// Err returns the last failure while the store is unavailable, else nil.
func (s *Store) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return s.lastErr
	}
	return nil
}

// call runs f under the timeout unless the store is backing off after a failure, and keeps
// track of the outage: the first failure and the recovery are logged.
func (s *Store) call(ctx context.Context, f func(context.Context) error) error {
	s.mu.Lock()
	if time.Now().Before(s.downTil) {
		err := s.lastErr
		s.mu.Unlock()
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.o.Timeout)
	defer cancel()
	err := f(ctx)
	if errors.Is(err, redis.Nil) {
		err = nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case err != nil:
		s.downTil, s.lastErr = time.Now().Add(s.o.Backoff), err
		if !s.down {
			s.down = true
			s.o.Logger.Warn("shared cache unreachable: answering from the sources directly", "addr", s.Addr(), "err", err)
		}
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	case s.down:
		s.down, s.lastErr = false, nil
		s.o.Logger.Info("shared cache reachable again", "addr", s.Addr())
	}
	return nil
}

// Get returns the value stored under key and when it was fetched; ok is false when there
// is none.
func (s *Store) Get(ctx context.Context, key string) (data []byte, asOf time.Time, ok bool, err error) {
	var b []byte
	err = s.call(ctx, func(ctx context.Context) error {
		var err error
		b, err = s.rdb.Get(ctx, s.prefix+"v:"+key).Bytes()
		return err
	})
	if err != nil || len(b) < 8 {
		return nil, time.Time{}, false, err
	}
	return b[8:], time.Unix(0, int64(binary.BigEndian.Uint64(b[:8]))), true, nil
}

// Set stores data, fetched at asOf, under key for ttl.
func (s *Store) Set(ctx context.Context, key string, data []byte, asOf time.Time, ttl time.Duration) error {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(data)), uint64(asOf.UnixNano()))
	b = append(b, data...)
	return s.call(ctx, func(ctx context.Context) error { return s.rdb.Set(ctx, s.prefix+"v:"+key, b, ttl).Err() })
}

// unlock deletes a lock only while it still holds the token its owner set.
var unlock = redis.NewScript(`if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`)

// Lock takes key's lock for at most ttl; ok is false when another replica holds it. The
// returned func releases the lock (only if it is still this caller's).
func (s *Store) Lock(ctx context.Context, key string, ttl time.Duration) (release func(), ok bool, err error) {
	token := make([]byte, 16)
	_, _ = rand.Read(token)
	tok := hex.EncodeToString(token)
	k := s.prefix + "lock:" + key
	err = s.call(ctx, func(ctx context.Context) error {
		var err error
		ok, err = s.rdb.SetNX(ctx, k, tok, ttl).Result()
		return err
	})
	if err != nil || !ok {
		return func() {}, false, err
	}
	return func() {
		_ = s.call(context.Background(), func(ctx context.Context) error { return unlock.Run(ctx, s.rdb, []string{k}, tok).Err() })
	}, true, nil
}

// extend sets a cool-down only when it ends later than the one stored.
var extend = redis.NewScript(`local t = redis.call("pttl", KEYS[1])
if t < tonumber(ARGV[2]) then return redis.call("set", KEYS[1], ARGV[1], "px", ARGV[2]) end return 0`)

// Hold shares a 429 cool-down of upstream until until, with the upstream's message. Errors
// are logged by the store, not returned: the cool-down still holds this replica.
func (s *Store) Hold(ctx context.Context, upstream string, until time.Time, message string) {
	ms := time.Until(until).Milliseconds()
	if ms <= 0 {
		return
	}
	v := strconv.FormatInt(until.UnixMilli(), 10) + "|" + message
	_ = s.call(ctx, func(ctx context.Context) error {
		return extend.Run(ctx, s.rdb, []string{s.prefix + "cooldown:" + upstream}, v, ms).Err()
	})
}

// Until returns the end of upstream's shared cool-down and its message; ok is false when
// there is none (or the store is unavailable).
func (s *Store) Until(ctx context.Context, upstream string) (until time.Time, message string, ok bool) {
	var v string
	if err := s.call(ctx, func(ctx context.Context) error {
		var err error
		v, err = s.rdb.Get(ctx, s.prefix+"cooldown:"+upstream).Result()
		return err
	}); err != nil || v == "" {
		return time.Time{}, "", false
	}
	ms, msg, _ := strings.Cut(v, "|")
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil || time.Now().UnixMilli() >= n {
		return time.Time{}, "", false
	}
	return time.UnixMilli(n), msg, true
}
