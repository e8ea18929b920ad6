// SHA-256 against the FIPS 180-2 test vectors, the empty message, and
// messages whose padding falls on each side of a block boundary.
#include <gtest/gtest.h>

#include <string>

#include "../../src/theon/core/sha256.hpp"

using theon::Sha256;
using theon::sha256_hex;

TEST(Sha256, Fips180_2Vectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, EmptyMessage) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// The length field goes into the same block up to 55 bytes, into a second one from 56.
TEST(Sha256, PaddingAroundBlockBoundaries) {
  const std::pair<size_t, const char*> expected[] = {
      {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
      {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
      {57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6"},
      {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
      {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
      {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
      {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
      {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
  };
  for (const auto& [size, hex] : expected) EXPECT_EQ(sha256_hex(std::string(size, 'a')), hex) << size << " bytes";
}

// Feeding the message in uneven pieces gives the one-shot digest.
TEST(Sha256, PiecewiseUpdatesMatchOneShot) {
  std::string message;
  for (int i = 0; i < 1000; ++i) message += char(i * 37 + 11);
  for (size_t piece : {1, 3, 63, 64, 65, 200}) {
    Sha256 hash;
    for (size_t at = 0; at < message.size(); at += piece) hash.update(message.substr(at, piece));
    EXPECT_EQ(hash.finish_hex(), sha256_hex(message)) << "pieces of " << piece;
  }
}
