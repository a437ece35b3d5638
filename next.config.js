/** @type {import('next').NextConfig} */
const nextConfig = {
  // Broker clients are Node-only; keep them out of the bundler so ioredis/amqplib load natively.
  serverExternalPackages: ['ioredis', 'amqplib', 'pino'],
  poweredByHeader: false,
  reactStrictMode: true,
};

module.exports = nextConfig;
