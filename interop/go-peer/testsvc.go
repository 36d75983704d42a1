package main

// Small loopback services used as tunnel targets by the interop scripts.

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"io"
	"log"
	"net"
	"time"
)

func serveLoop(name, addr string, handle func(c *net.TCPConn)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	log.Printf("%s: listening on %s", name, ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go handle(c.(*net.TCPConn))
	}
}

// echo returns every byte; after the client's EOF it optionally waits and
// sends a trailer, then half-closes and closes.
func cmdEcho(args []string) error {
	fs := flag.NewFlagSet("echo", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "TCP address")
	trailer := fs.String("trailer", "", "text to send after the client's EOF")
	delay := fs.Duration("trailer-delay", 0, "wait this long after EOF before the trailer")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return serveLoop("echo", *listen, func(c *net.TCPConn) {
		defer c.Close()
		buf := make([]byte, 64*1024)
		var total int64
		for {
			n, err := c.Read(buf)
			if n > 0 {
				if _, werr := c.Write(buf[:n]); werr != nil {
					log.Printf("echo: %s: write: %v", c.RemoteAddr(), werr)
					return
				}
				total += int64(n)
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				log.Printf("echo: %s: read: %v after %d bytes", c.RemoteAddr(), err, total)
				return
			}
		}
		if *trailer != "" {
			time.Sleep(*delay)
			if _, err := c.Write([]byte(*trailer)); err != nil {
				log.Printf("echo: %s: trailer: %v", c.RemoteAddr(), err)
				return
			}
		}
		c.CloseWrite()
		log.Printf("echo: %s: echoed %d bytes, got EOF, closed", c.RemoteAddr(), total)
	})
}

// banner sends its text and half-closes at once, then reads until the client's
// EOF and logs what it received: the target-closes-first direction.
func cmdBanner(args []string) error {
	fs := flag.NewFlagSet("banner", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "TCP address")
	text := fs.String("text", "HELLO\n", "banner text")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return serveLoop("banner", *listen, func(c *net.TCPConn) {
		defer c.Close()
		if _, err := c.Write([]byte(*text)); err != nil {
			log.Printf("banner: %s: write: %v", c.RemoteAddr(), err)
			return
		}
		c.CloseWrite()
		h := sha256.New()
		n, err := io.Copy(h, c)
		if err != nil {
			log.Printf("banner: %s: read: %v after %d bytes", c.RemoteAddr(), err, n)
			return
		}
		log.Printf("banner: %s: received %d bytes sha256 %s after half-closing", c.RemoteAddr(), n, hex.EncodeToString(h.Sum(nil)))
	})
}
