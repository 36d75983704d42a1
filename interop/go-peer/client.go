package main

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"net"
	"time"

	"github.com/flynn/noise"
	"github.com/hashicorp/yamux"
)

type forward struct {
	localPort  uint16
	remotePort uint16
}

type clientConfig struct {
	server     string
	serverPub  []byte
	static     noise.DHKey
	psk        []byte
	forwards   []forward
	knock      bool
	knockPort  uint16
	hsTimeout  time.Duration
	connectFor time.Duration
}

func dialTunnel(cfg *clientConfig) (net.Conn, error) {
	if cfg.knock {
		host, portStr, err := net.SplitHostPort(cfg.server)
		if err != nil {
			return nil, err
		}
		port, err := parsePort(portStr)
		if err != nil {
			return nil, err
		}
		kp := cfg.knockPort
		if kp == 0 {
			kp = port
		}
		nonce := make([]byte, 12)
		if _, err := rand.Read(nonce); err != nil {
			return nil, err
		}
		pkt, err := buildKnock(cfg.psk, cfg.serverPub, nonce, uint64(time.Now().Unix()), port)
		if err != nil {
			return nil, err
		}
		to := net.JoinHostPort(host, fmt.Sprint(kp))
		if err := sendKnock(to, pkt); err != nil {
			return nil, fmt.Errorf("knock: %v", err)
		}
		log.Printf("client: sent knock to %s (tunnel port %d)", to, port)
	}
	deadline := time.Now().Add(cfg.connectFor)
	for {
		c, err := net.DialTimeout("tcp", cfg.server, 3*time.Second)
		if err == nil || !cfg.knock || time.Now().After(deadline) {
			return c, err
		}
		time.Sleep(250 * time.Millisecond) // the knock may not have opened the firewall yet
	}
}

func runClient(cfg *clientConfig) error {
	c, err := dialTunnel(cfg)
	if err != nil {
		return fmt.Errorf("connect %s: %v", cfg.server, err)
	}
	tag := "client conn " + c.LocalAddr().String()
	c.SetDeadline(time.Now().Add(cfg.hsTimeout))
	nc, err := ClientHandshake(c, cfg.static, cfg.serverPub, cfg.psk)
	if err != nil {
		c.Close()
		return fmt.Errorf("handshake with %s failed: %v", cfg.server, err)
	}
	c.SetDeadline(time.Time{})
	log.Printf("%s: handshake ok with %s", tag, cfg.server)

	m := newMuxConn(nc, tag)
	sess, err := yamux.Client(m, yamuxConfig(tag))
	if err != nil {
		return err
	}
	for _, f := range cfg.forwards {
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", fmt.Sprint(f.localPort)))
		if err != nil {
			sess.Close()
			return err
		}
		log.Printf("client: forwarding %s -> server port %d", ln.Addr(), f.remotePort)
		go acceptLocal(sess, m, ln, f.remotePort)
	}
	<-sess.CloseChan()
	return fmt.Errorf("tunnel closed")
}

func acceptLocal(sess *yamux.Session, m *muxConn, ln net.Listener, remotePort uint16) {
	for {
		lc, err := ln.Accept()
		if err != nil {
			log.Printf("client: accept on %s: %v", ln.Addr(), err)
			return
		}
		go handleLocal(sess, m, lc, remotePort)
	}
}

func handleLocal(sess *yamux.Session, m *muxConn, lc net.Conn, remotePort uint16) {
	s, err := sess.OpenStream()
	if err != nil {
		log.Printf("client: local %s: open stream: %v", lc.RemoteAddr(), err)
		lc.Close()
		return
	}
	tag := fmt.Sprintf("client stream %d (local %s -> port %d)", s.StreamID(), lc.RemoteAddr(), remotePort)
	var pb [2]byte
	binary.BigEndian.PutUint16(pb[:], remotePort)
	if _, err := s.Write(pb[:]); err != nil {
		log.Printf("%s: writing the port: %v", tag, err)
		m.reset(s)
		lc.Close()
		return
	}
	var ans [1]byte
	if _, err := io.ReadFull(s, ans[:]); err != nil {
		log.Printf("%s: no answer from the server: %v", tag, err)
		m.reset(s)
		lc.Close()
		return
	}
	log.Printf("%s: answer %s", tag, answerText(ans[0]))
	if ans[0] != 0 {
		s.Close()
		lc.Close()
		log.Printf("%s: closed the local connection", tag)
		return
	}
	up, down, err := relay(m, s, lc)
	if err != nil {
		log.Printf("%s: relay ended with error after %d bytes up, %d bytes down: %v", tag, up, down, err)
		return
	}
	log.Printf("%s: closed cleanly (%d bytes up, %d bytes down)", tag, up, down)
}
