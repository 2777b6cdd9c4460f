"""The service pattern: one StatefulSet per service with nginx-tls, the app and Tailscale."""
