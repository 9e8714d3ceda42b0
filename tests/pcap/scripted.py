#!/usr/bin/env python3
"""Tiny scripted peers for tests/pcap/make.sh: SMTP with STARTTLS, the
PostgreSQL SSLRequest/startup exchange, and RESP (Redis). One connection each."""
import socket, ssl, struct, sys

def listen(port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port)); s.listen(1); c, _ = s.accept(); return c

def readline(c):
    b = b""
    while not b.endswith(b"\n"):
        x = c.recv(1)
        if not x: break
        b += x
    return b

def smtp_server(port, crt, key):
    c = listen(port)
    c.sendall(b"220 mail.shop.svc ESMTP trustmap-test\r\n")
    readline(c); c.sendall(b"250-mail.shop.svc\r\n250 STARTTLS\r\n")
    readline(c); c.sendall(b"220 2.0.0 Ready to start TLS\r\n")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(crt, key)
    t = ctx.wrap_socket(c, server_side=True)
    readline(t); t.sendall(b"250 mail.shop.svc\r\n")
    readline(t); t.sendall(b"221 bye\r\n"); t.close()

def startup():
    body = struct.pack("!I", 0x00030000) + b"user\0app\0database\0shop\0\0"
    return struct.pack("!I", len(body) + 4) + body

def pg_server(port, crt, key):
    c = listen(port)
    n = struct.unpack("!I", c.recv(4))[0]; rest = c.recv(n - 4)
    if n == 8 and crt != "-":
        c.sendall(b"S")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(crt, key)
        c = ctx.wrap_socket(c, server_side=True)
        n = struct.unpack("!I", c.recv(4))[0]; rest = c.recv(n - 4)
    c.sendall(b"R" + struct.pack("!II", 8, 0) + b"Z" + struct.pack("!I", 5) + b"I")
    c.recv(1000); c.close()

def pg_client(port, tls):
    c = socket.create_connection(("127.0.0.1", port))
    if tls:
        c.sendall(struct.pack("!II", 8, 80877103)); assert c.recv(1) == b"S"
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE; c = ctx.wrap_socket(c, server_hostname="db.shop.svc")
    c.sendall(startup()); c.recv(100)
    q = b"select 1\0"; c.sendall(b"Q" + struct.pack("!I", len(q) + 4) + q); c.close()

def redis_server(port):
    c = listen(port)
    c.recv(100); c.sendall(b"+OK\r\n"); c.recv(100); c.sendall(b"$3\r\nbar\r\n"); c.close()

def redis_client(port):
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(b"*3\r\n$3\r\nSET\r\n$3\r\nfoo\r\n$3\r\nbar\r\n"); c.recv(100)
    c.sendall(b"*2\r\n$3\r\nGET\r\n$3\r\nfoo\r\n"); c.recv(100); c.close()

cmd, port = sys.argv[1], int(sys.argv[2])
if cmd == "smtp-server": smtp_server(port, sys.argv[3], sys.argv[4])
elif cmd == "pg-server": pg_server(port, sys.argv[3], sys.argv[4])
elif cmd == "pg-client": pg_client(port, True)
elif cmd == "pg-client-plain": pg_client(port, False)
elif cmd == "redis-server": redis_server(port)
elif cmd == "redis-client": redis_client(port)
