package io.pureremote.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImagesTest {
  @Test
  void qualifiesOnlyUnqualifiedImages() {
    String reg = "myregistry.azurecr.io";
    assertThat(Images.qualify(reg, "team/app:1")).isEqualTo("myregistry.azurecr.io/team/app:1");
    assertThat(Images.qualify(reg, "ubuntu")).isEqualTo("myregistry.azurecr.io/ubuntu");
    assertThat(Images.qualify(reg + "/", "team/app@sha256:abc")).isEqualTo("myregistry.azurecr.io/team/app@sha256:abc");
    assertThat(Images.qualify(reg, "ghcr.io/x/y:1")).isEqualTo("ghcr.io/x/y:1");
    assertThat(Images.qualify(reg, "localhost:5000/y")).isEqualTo("localhost:5000/y");
    assertThat(Images.qualify(reg, "localhost/y")).isEqualTo("localhost/y");
    assertThat(Images.qualify(reg, "registry:5000/y")).isEqualTo("registry:5000/y");
    assertThat(Images.qualify(null, "team/app:1")).isEqualTo("team/app:1");
    assertThat(Images.qualify(" ", "team/app:1")).isEqualTo("team/app:1");
    assertThat(Images.qualify("myregistry.azurecr.io/ml", "app:1")).isEqualTo("myregistry.azurecr.io/ml/app:1");
    assertThat(Images.qualify("myregistry.azurecr.io/ml", "myregistry.azurecr.io/ml/app:1")).isEqualTo("myregistry.azurecr.io/ml/app:1");
  }

  @Test
  void isIdempotent() {
    for (String image : new String[] {"team/app:1", "ubuntu", "ghcr.io/x/y:1", "localhost:5000/y", "a/b/c:d"}) {
      String once = Images.qualify("reg.example.com", image);
      assertThat(Images.qualify("reg.example.com", once)).isEqualTo(once);
    }
  }

  @Test
  void rejectsBlankImages() {
    assertThatThrownBy(() -> Images.qualify("r.io", " ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid image");
    assertThatThrownBy(() -> Images.qualify("r.io", "a b")).isInstanceOf(IllegalArgumentException.class);
  }
}
