//go:build unix

package fake

import "syscall"

// holdPort binds a TCP socket to addr without listening: connecting gets a reset
// (connection refused), and no other socket can bind the port until release.
func holdPort(addr string) (release func(), err error) {
	ip, port, err := tcp4(addr)
	if err != nil {
		return nil, err
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		return nil, err
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Port: port, Addr: ip}); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	return func() { syscall.Close(fd) }, nil
}
