/* Consumer check: G.711 round trip and a DTMF digit through the installed C API. Exit 0 when both work. */
#include <linedsp.h>
#include <stdio.h>

int main(void) {
  int16_t pcm[1600];
  uint8_t law[1600];
  int16_t back[1600];
  linedsp_dtmf_generator* gen = NULL;
  linedsp_dtmf_detector* det = NULL;
  linedsp_dtmf_event ev[16];
  size_t count = 0;
  int seen = 0;

  if (linedsp_dtmf_generator_create(8000, -10.0, -8.0, 80, 80, &gen) != LINEDSP_OK ||
      linedsp_dtmf_detector_create(8000, NULL, &det) != LINEDSP_OK) {
    fprintf(stderr, "create: %s\n", linedsp_last_error());
    return 1;
  }
  linedsp_dtmf_generator_queue(gen, "7");
  linedsp_dtmf_generator_generate(gen, pcm, 1600);
  if (linedsp_g711_encode(LINEDSP_ALAW, pcm, law, 1600) != 1600 ||
      linedsp_g711_decode(LINEDSP_ALAW, law, back, 1600) != 1600) {
    return 1;
  }
  linedsp_dtmf_detector_process(det, back, 1600, ev, 16, &count);
  for (size_t i = 0; i < count; ++i) seen |= ev[i].digit == '7' && ev[i].begin;
  printf("linedsp %s (%s): digit 7 %s\n", linedsp_version(), linedsp_simd(), seen ? "detected" : "MISSED");
  linedsp_dtmf_detector_destroy(det);
  linedsp_dtmf_generator_destroy(gen);
  return seen ? 0 : 1;
}
