// Preloaded with `node --require ./loopback.cjs` so that a server which listens on a bare port binds to 127.0.0.1
// only: Shield's tests must never open a socket beyond loopback.
const net = require('net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const port = args[0];
  const bareNumber = typeof port === 'number' || (typeof port === 'string' && /^\d+$/.test(port));
  if (bareNumber && typeof args[1] !== 'string') {
    args.splice(1, 0, '127.0.0.1');
  }
  return listen.apply(this, args);
};
