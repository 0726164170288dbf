#include <stdio.h>
int main(void) { puts("arctic-digest " AD_VERSION); return 0; }
