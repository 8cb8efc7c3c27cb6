package replicas

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a redis-server the benchmark started on a free 127.0.0.1 port, without
// persistence.
type Redis struct {
	URL string
	cmd *exec.Cmd
	dir string
}

// StartRedis starts redis-server (or valkey-server) and waits until it answers PING.
func StartRedis(ctx context.Context) (*Redis, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if bin, err = exec.LookPath("valkey-server"); err != nil {
			return nil, errors.New("redis-server is not installed (Debian package redis-server)")
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir, err := os.MkdirTemp("", "opsctx-bench-redis-")
	if err != nil {
		return nil, err
	}
	r := &Redis{URL: fmt.Sprintf("redis://127.0.0.1:%d/0", port), dir: dir}
	r.cmd = exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning")
	r.cmd.Dir = dir
	if err := r.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	opt, _ := redis.ParseURL(r.URL)
	c := redis.NewClient(opt)
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(ctx).Err() != nil {
		if time.Now().After(deadline) {
			r.Kill()
			return nil, errors.New("redis-server did not answer within 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return r, nil
}

// Flush empties the database.
func (r *Redis) Flush(ctx context.Context) error {
	opt, err := redis.ParseURL(r.URL)
	if err != nil {
		return err
	}
	c := redis.NewClient(opt)
	defer c.Close()
	return c.FlushAll(ctx).Err()
}

// Kill stops the server at once (SIGKILL), as a crash would, and removes its directory.
func (r *Redis) Kill() {
	if r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
	}
	os.RemoveAll(r.dir)
}
