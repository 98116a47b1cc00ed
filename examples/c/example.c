/* examples/c/example.c — a gateway channel's real-time loop through the linedsp C API.
 *
 * Every 20 ms (160 samples at 8 kHz):
 *   1. a mu-law frame arrives from the network: G.711-decode it (far end);
 *   2. the line returns the near end, carrying an echo of the far end: the echo canceller removes it;
 *   3. the cleaned near end goes through the DTMF receiver (begin events: mute; end events: report);
 *   4. it is G.711-encoded back to the network.
 * Here the "network" is a pseudo-random far-end signal and the "line" adds its echo (24 samples later,
 * 12 dB down) to a phone that dials 90#. The program exits 0 when the receiver heard exactly 90# and the
 * canceller took the echo down by at least 10 dB; it runs as a ctest (label capi).
 */
#include <linedsp.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

enum { kFrame = 160, kFrames = 150, kEchoDelay = 24 };

static uint32_t rng = 12345u;
static int16_t noise_sample(void) { /* uniform +-2000: about -21 dBm0 */
  rng = rng * 1664525u + 1013904223u;
  return (int16_t)((int32_t)(rng >> 16) % 4001 - 2000);
}

int main(void) {
  linedsp_echo_canceller* ec = NULL;
  linedsp_dtmf_detector* dtmf = NULL;
  linedsp_dtmf_generator* phone = NULL;
  if (linedsp_echo_canceller_create(8000, 64, &ec) != LINEDSP_OK ||
      linedsp_dtmf_detector_create(8000, NULL, &dtmf) != LINEDSP_OK ||
      linedsp_dtmf_generator_create(8000, -10.0, -8.0, 80, 80, &phone) != LINEDSP_OK) {
    fprintf(stderr, "create failed: %s\n", linedsp_last_error());
    return 1;
  }
  /* A bad argument is an error code with a message, never a crash or an exception. */
  linedsp_echo_canceller* bad = NULL;
  if (linedsp_echo_canceller_create(8000, 1000, &bad) == LINEDSP_OK || bad != NULL) return 1;
  printf("expected error: %s\n", linedsp_last_error());

  int16_t far_history[kFrame * kFrames];
  char heard[16] = "";
  size_t nheard = 0;
  double echo_energy = 0.0, residual_energy = 0.0;

  for (int f = 0; f < kFrames; ++f) {
    /* 1. network -> far end */
    int16_t far_pcm[kFrame];
    uint8_t rx_law[kFrame];
    for (int i = 0; i < kFrame; ++i) far_pcm[i] = noise_sample();
    linedsp_g711_encode(LINEDSP_ULAW, far_pcm, rx_law, kFrame); /* what the network sent */
    int16_t far[kFrame];
    linedsp_g711_decode(LINEDSP_ULAW, rx_law, far, kFrame);
    memcpy(&far_history[f * kFrame], far, sizeof far);

    /* the line: echo of far (hybrid) + the phone's digits from 1.5 s on */
    int16_t digits[kFrame];
    if (f == 75) linedsp_dtmf_generator_queue(phone, "90#");
    linedsp_dtmf_generator_generate(phone, digits, kFrame);
    int16_t near[kFrame], echo[kFrame];
    for (int i = 0; i < kFrame; ++i) {
      const int n = f * kFrame + i - kEchoDelay;
      echo[i] = n >= 0 ? (int16_t)(far_history[n] / 4) : 0;
      near[i] = (int16_t)(echo[i] + digits[i]);
    }

    /* 2. echo canceller */
    int16_t clean[kFrame];
    linedsp_echo_canceller_process(ec, far, near, clean, kFrame);
    if (f >= 25 && f < 75) { /* far-only stretch after 0.5 s of convergence */
      for (int i = 0; i < kFrame; ++i) {
        echo_energy += (double)echo[i] * echo[i];
        residual_energy += (double)clean[i] * clean[i];
      }
    }

    /* 3. DTMF receiver */
    linedsp_dtmf_event events[16];
    size_t count = 0;
    if (linedsp_dtmf_detector_process(dtmf, clean, kFrame, events, 16, &count) != LINEDSP_OK) return 1;
    for (size_t e = 0; e < count; ++e) {
      if (events[e].begin && nheard + 1 < sizeof heard) heard[nheard++] = events[e].digit;
      if (!events[e].begin) {
        printf("digit %c at %.3f s for %.0f ms\n", events[e].digit, (double)events[e].sample / 8000.0,
               (double)events[e].duration_samples / 8.0);
      }
    }

    /* 4. back to the network */
    uint8_t tx_law[kFrame];
    linedsp_g711_encode(LINEDSP_ULAW, clean, tx_law, kFrame);
  }
  heard[nheard] = '\0';

  const double reduction_db = 10.0 * log10((echo_energy + 1.0) / (residual_energy + 1.0));
  printf("linedsp %s, kernels %s: heard \"%s\", echo reduced by %.1f dB (canceller says ERLE %.1f dB, %zu bytes)\n",
         linedsp_version(), linedsp_simd(), heard, reduction_db, (double)linedsp_echo_canceller_erle_db(ec),
         linedsp_echo_canceller_memory_bytes(ec));

  linedsp_dtmf_generator_destroy(phone);
  linedsp_dtmf_detector_destroy(dtmf);
  linedsp_echo_canceller_destroy(ec);
  return strcmp(heard, "90#") == 0 && reduction_db >= 10.0 ? 0 : 1;
}
