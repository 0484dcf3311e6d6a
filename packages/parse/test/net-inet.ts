// What the parseNetInet tests share: the kernel's table headers, and the options and idle
// columns of the live fixtures.

export const TCP_HEADER =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
export const TCP6_HEADER =
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
export const UDP_HEADER =
  '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n';
export const UDP6_HEADER =
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n';

/** Columns that are zero on every idle socket in the live fixtures. */
export const idle = {
  txQueue: 0,
  rxQueue: 0,
  timerActive: 0,
  timerExpiresTicks: 0,
  retransmits: 0,
  timeout: 0,
};
export const tcp4 = { family: 'inet', protocol: 'tcp' } as const;
export const tcp6 = { family: 'inet6', protocol: 'tcp' } as const;
