# comet-push-consume.rb: the em-http client of seed article 002 ("将 Nginx 变成一个长连接服务器"),
# kept as the article wrote it apart from:
#   - host and port: PUSHRELAY_URL (default http://127.0.0.1:8080) instead of http://127.0.0.1;
#   - the period: PERIOD seconds, default 5 as in the article;
#   - a bounded run time: RUN_SECONDS (default: none, it runs until killed, as in the article);
#   - the article's "\\n" is an escaping artifact of the page it was printed on: "\n" here.
# It sends only If-Modified-Since, never If-None-Match (protocol.md §4.2: the tag counts as 0,
# so with one message per period every message has tag 0 and the walk is exact).
# Run it with run-em-http.sh, which installs Ruby and em-http from Debian when missing.
require 'rubygems'
require 'em-http'

BASE_URL = ENV.fetch('PUSHRELAY_URL', 'http://127.0.0.1:8080')
PERIOD = Float(ENV.fetch('PERIOD', '5'))
RUN_SECONDS = ENV['RUN_SECONDS']

def subscribe(opts)
  listener = EventMachine::HttpRequest.new(BASE_URL + '/activity?id='+ opts[:channel]).get :head => opts[:head]
  listener.callback {
    # print recieved message, re-subscribe to channel with
    # 输出所获取的内容,并重新订阅这个频道
    # the last-modified header to avoid duplicate messages
    # 使用header last-modified去忽略之前已经获取的数据
    puts "Listener recieved: " + listener.response + "\n"
    modified = listener.response_header['LAST_MODIFIED']
    subscribe({:channel => opts[:channel], :head => {'If-Modified-Since' => modified}})
  }
end

EventMachine.run {
  channel = "pub"

  # Publish new message every 5 seconds
  # 每5秒钟发布一个新的消息
  EM.add_periodic_timer(PERIOD) do
    time = Time.now
    publisher = EventMachine::HttpRequest.new(BASE_URL + '/publish?id='+channel).post :body => "Hello @ #{time}"
    publisher.callback {
      puts "Published message @ #{time}"
      puts "Response code: " + publisher.response_header.status.to_s
      puts "Headers: " + publisher.response_header.inspect
      puts "Body: \n" + publisher.response
      puts "\n"
    }
  end

  # open two listeners (aka broadcast/pubsub distribution)
  # 打开两个客户端
  subscribe(:channel => channel)
  subscribe(:channel => channel)

  # not in the article: stop by itself after RUN_SECONDS
  EM.add_timer(Float(RUN_SECONDS)) { EM.stop } if RUN_SECONDS
}
