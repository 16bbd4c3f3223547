// Socket.IO 4.8 peer for Tandem's benchmarks: rooms + broadcast, the idiomatic way.
// Usage: node server.js PORT
// Events: "join" (room, ack) joins a room; "publish" ({room, payload}, ack) broadcasts "message" to the room.
const { createServer } = require('http');
const { Server } = require('socket.io');

const port = Number(process.argv[2] || 3000);
const http = createServer((req, res) => {
  if (req.url === '/health') { res.end('ok'); return; }
  res.statusCode = 404; res.end();
});
const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });

io.on('connection', (socket) => {
  socket.on('join', (room, ack) => {
    socket.join(room);
    if (typeof ack === 'function') ack('ok');
  });
  socket.on('publish', (msg, ack) => {
    io.to(msg.room).emit('message', msg.payload);
    if (typeof ack === 'function') ack('ok');
  });
});

http.listen(port, '127.0.0.1', () => console.log(`socket.io listening on ${port}`));
